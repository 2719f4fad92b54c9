/**
 * End to end over real OS links: the gateway (session + reconnect loop) drives the simulated Meshtastic radio over
 * a socat PTY through drivers/serial (serialport) and over TCP through runtime/links/tcp-link.
 */
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMetrics, type Metrics } from '../../metrics/metrics.js';
import { startMeshtasticSim, type MeshtasticSim } from '../../../firmware-protocol/meshtastic/sim/start-meshtastic-sim.js';
import type { ForeignMessage, PeerEvent } from '../../bearer/bearer.js';
import type { Bundle } from '../../bundle/bundle.js';
import type { Logger } from '../../log/logger.js';
import type { LinkOpener } from '../../../firmware-protocol/framing/byte-link.js';
import { meshtasticOpener } from './device-opener.js';
import { MeshtasticBearer, type MeshtasticBearerInit } from './meshtastic-bearer.js';
import { waitFor as until } from '../../../lib/testing/wait-for.js';
import { SkipClock } from '../../../lib/testing/skip-clock.js';

const ALICE = 0x11111111;
const BOB = 0x22222222;

/** Link transitions as the gateway announces them (the channel peer going down, coming up): a reconnect with its
 * back-off skipped can be over before a poll of the status would see it down. */
const transitions = (r: Rig, up: boolean) => r.peers.filter((p) => p.peer === 'mt:ch:0' && p.up === up).length;

function bundle(recipient: string, text: string, origin?: { id: string; name?: string }): Bundle {
  return {
    sender: randomBytes(32),
    recipient,
    sentAt: Date.now(),
    lifetime: 3600_000,
    body: new TextEncoder().encode(text),
    sealed: false,
    origin,
    hops: 0,
    custody: [],
    signature: randomBytes(64),
  };
}

function captureLogger(lines: string[]): Logger {
  const rec = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    const err = fields?.err as Error | undefined;
    lines.push(`${level} ${message}${err ? ` (${err.name}: ${err.message})` : ''}`);
  };
  const logger: Logger = {
    namespace: 'test',
    error: rec('error'),
    warn: rec('warn'),
    info: rec('info'),
    debug: () => {},
    trace: () => {},
    enabled: () => false,
    frame: () => {},
    child: () => logger,
  };
  return logger;
}

interface Rig {
  clock: SkipClock;
  sim: MeshtasticSim;
  bearer: MeshtasticBearer;
  peers: PeerEvent[];
  foreign: ForeignMessage[];
  logs: string[];
  registry: Metrics;
  close(): Promise<void>;
}

async function rig(kind: 'pty' | 'tcp', extra: Partial<MeshtasticBearerInit> = {}, wrapOpener: (o: LinkOpener) => LinkOpener = (o) => o, clock = new SkipClock()): Promise<Rig> {
  // The gateway's paces (text interval, reconnect and displacement back-offs) run on a skip clock: they pass at
  // once, and the simulated radio's rate limit reads the same clock, so it sees the time they stood for. Its own
  // delays (airtime, ACKs) stay real: they order what the radio reports as the firmware would.
  const now = () => clock.now();
  const sim = await startMeshtasticSim(kind === 'pty' ? { pty: true, seed: 3, now } : { tcpPort: 0, seed: 3, now });
  const device = kind === 'pty' ? sim.ptyPath! : `127.0.0.1:${sim.tcpPort}`;
  const logs: string[] = [];
  const registry = createMetrics({ defaultMetrics: false });
  const bearer = new MeshtasticBearer({
    name: 'meshtastic0',
    device,
    transport: kind === 'pty' ? 'serial' : 'tcp',
    opener: wrapOpener(meshtasticOpener(device)),
    metrics: registry,
    backoffMs: { initial: 150, max: 600 },
    logger: captureLogger(logs),
    session: { handshakeTimeoutMs: 15_000 },
    clock,
    ...extra,
  });
  const peers: PeerEvent[] = [];
  const foreign: ForeignMessage[] = [];
  bearer.on('peer', (p) => peers.push(p));
  bearer.on('foreign', (m) => foreign.push(m));
  await bearer.start();
  await until('gateway up', () => bearer.status().state === 'up');
  return {
    clock, sim, bearer, peers, foreign, logs, registry,
    async close() {
      await bearer.stop();
      await sim.stop();
    },
  };
}

for (const kind of ['pty', 'tcp'] as const) {
  test(`${kind}: handshake, peers and status`, async () => {
    const r = await rig(kind);
    try {
      const up = r.peers.filter((p) => p.up).map((p) => p.peer).sort();
      assert.equal(up, ['mt:!11111111', 'mt:!22222222', 'mt:!33333333', 'mt:ch:0', 'mt:ch:1']);
      assert.is(r.peers.find((p) => p.peer === 'mt:ch:1')?.name, 'lattice');
      assert.ok(r.bearer.canReach('mt:ch:0'));
      assert.not.ok(r.bearer.canReach('mt:ch:5'));
      assert.not.ok(r.bearer.canReach('mt:!44444444'), 'no key, no DM');
      assert.not.ok(r.bearer.canReach('*'));
      const st = r.bearer.status();
      const d = st.detail!;
      assert.is(st.kind, 'meshtastic');
      assert.is(d.firmwareVersion, '2.7.26.54e0d8d');
      assert.is(d.nodeId, '!deadbeef');
      assert.is(d.link, 'up');
      assert.equal(d.channels, [{ index: 0, name: 'LongFast', role: 'PRIMARY' }, { index: 1, name: 'lattice', role: 'SECONDARY' }]);
      assert.match(await r.registry.render(), /lattice_meshtastic_link_up\{bearer="meshtastic0"\} 1/);
    } finally {
      await r.close();
    }
  });

  test(`${kind}: receive channel text and DM as foreign messages`, async () => {
    const r = await rig(kind);
    try {
      r.sim.device.injectText({ from: BOB, channel: 1, text: 'hello from bob' });
      r.sim.device.injectText({ from: ALICE, to: r.sim.device.myNodeNum, text: 'dm from alice' });
      await until('two foreign messages', () => r.foreign.length === 2);
      const [a, b] = r.foreign;
      assert.equal([a!.from, a!.fromName, a!.to, a!.direct, a!.text], ['mt:!22222222', 'Bob Handheld', 'mt:ch:1', false, 'hello from bob']);
      assert.equal([b!.from, b!.fromName, b!.to, b!.direct, b!.text], ['mt:!11111111', 'Alice Rooftop', 'mt:!deadbeef', true, 'dm from alice']);
      assert.ok(typeof a!.packetId === 'number');
    } finally {
      await r.close();
    }
  });

  test(`${kind}: send to a channel and as DM, ACKs in status, DM without key refused with the key named`, async () => {
    const r = await rig(kind);
    try {
      assert.is(await r.bearer.send({ peer: 'mt:ch:0', kind: 'bundle', bytes: new Uint8Array(0), bundle: bundle('mt:ch:0', 'hi channel', { id: 'mc:abcd', name: 'Zed' }) }), 'accepted');
      assert.is(await r.bearer.send({ peer: 'mt:!11111111', kind: 'bundle', bytes: new Uint8Array(0), bundle: bundle('mt:!11111111', 'hi alice') }), 'accepted');
      assert.is(await r.bearer.send({ peer: 'mt:!44444444', kind: 'bundle', bytes: new Uint8Array(0), bundle: bundle('mt:!44444444', 'hi dave') }), 'unreachable');
      assert.match(String(r.bearer.status().detail!.lastError), /!44444444.*public key/);
      await until('acks', () => (r.bearer.status().detail!.recentDeliveries as unknown[]).length >= 2);
      const states = (r.bearer.status().detail!.recentDeliveries as { state: string }[]).map((x) => x.state).sort();
      assert.equal(states, ['acked', 'implicit-ack']);
      assert.ok(r.sim.device.mesh.textsReceivedBy(BOB).includes('Zed: hi channel'));
      assert.equal(r.sim.device.mesh.textsReceivedBy(ALICE).filter((x) => x === 'hi alice'), ['hi alice']);
      assert.match(await r.registry.render(), /lattice_meshtastic_acks_total\{bearer="meshtastic0",kind="acked"\} 1/);
    } finally {
      await r.close();
    }
  });
}

test('tcp: a NodeInfo with a key makes a node reachable (peer up) so the router can retry its DM', async () => {
  const r = await rig('tcp');
  try {
    const dm = bundle('mt:!44444444', 'for dave');
    assert.is(await r.bearer.send({ peer: 'mt:!44444444', kind: 'bundle', bytes: new Uint8Array(0), bundle: dm }), 'unreachable');
    r.sim.device.mesh.nodes.get(0x44444444)!.publicKey = new Uint8Array(32).fill(4);
    r.sim.device.injectNodeInfo(0x44444444);
    await until('peer up for dave', () => r.peers.some((p) => p.peer === 'mt:!44444444' && p.up));
    assert.is(r.peers.find((p) => p.peer === 'mt:!44444444')!.name, 'Dave NoKey');
    assert.ok(r.bearer.canReach('mt:!44444444'));
    assert.is(await r.bearer.send({ peer: 'mt:!44444444', kind: 'bundle', bytes: new Uint8Array(0), bundle: dm }), 'accepted');
    await until('dave got it', () => r.sim.device.mesh.textsReceivedBy(0x44444444).includes('for dave'));
  } finally {
    await r.close();
  }
});

test('stop() rejects a pending send with an AbortError', async () => {
  const r = await rig('tcp');
  try {
    await r.bearer.send({ peer: 'mt:ch:0', kind: 'bundle', bytes: new Uint8Array(0), bundle: bundle('mt:ch:0', 'first') });
    const pending = r.bearer.send({ peer: 'mt:ch:0', kind: 'bundle', bytes: new Uint8Array(0), bundle: bundle('mt:ch:0', 'waits for the rate limit') });
    const outcome = pending.then(() => 'resolved', (e: Error) => e.name);
    await r.bearer.stop();
    assert.is(await outcome, 'AbortError');
  } finally {
    await r.close();
  }
});

test('pty: rate limit honoured by queueing, garbage on the line tolerated', async () => {
  const r = await rig('pty');
  try {
    r.sim.device.faults.garbageBeforeFrames = 3;
    r.sim.device.faults.splitWrites = true;
    const results = await Promise.all(['a1', 'a2', 'a3'].map((t) => r.bearer.send({ peer: 'mt:ch:0', kind: 'bundle', bytes: new Uint8Array(0), bundle: bundle('mt:ch:0', t) })));
    assert.equal(results, ['accepted', 'accepted', 'accepted']);
    assert.is(r.sim.device.stats.rateLimited, 0);
    r.sim.device.injectText({ from: BOB, text: 'noisy line' });
    await until('message through noise', () => r.foreign.some((m) => m.text === 'noisy line'));
    await until('mesh heard all', () => r.sim.device.mesh.textsReceivedBy(BOB).length >= 3);
    assert.equal(r.sim.device.mesh.textsReceivedBy(BOB).slice(0, 3), ['a1', 'a2', 'a3']);
    assert.match(await r.registry.render(), /lattice_meshtastic_rate_limit_waits_total\{bearer="meshtastic0"\} [2-9]/);
  } finally {
    await r.close();
  }
});

test('pty: unplug → unreachable and peers down; replug → handshake, peers up, queued bundles go out once', async () => {
  const r = await rig('pty');
  try {
    const queued = [bundle('mt:ch:0', 'queued 1'), bundle('mt:ch:0', 'queued 2')];
    const already = bundle('mt:ch:0', 'sent before unplug');
    assert.is(await r.bearer.send({ peer: 'mt:ch:0', kind: 'bundle', bytes: new Uint8Array(0), bundle: already }), 'accepted');
    await until('heard', () => r.sim.device.mesh.textsReceivedBy(BOB).includes('sent before unplug'));
    await r.sim.serial!.unplug();
    await until('gateway down', () => r.bearer.status().state !== 'up');
    assert.ok(r.peers.some((p) => p.peer === 'mt:ch:0' && !p.up));
    assert.not.ok(r.bearer.canReach('mt:ch:0'));
    for (const b of queued) assert.is(await r.bearer.send({ peer: 'mt:ch:0', kind: 'bundle', bytes: new Uint8Array(0), bundle: b }), 'unreachable');
    const failedOpens = () => r.logs.filter((l) => /^warn cannot open the radio/.test(l)).length;
    await until('a few failed reconnect attempts', () => failedOpens() >= 3);
    const upEvents = r.peers.filter((p) => p.peer === 'mt:ch:0' && p.up).length;
    await r.sim.serial!.replug();
    await until('peer up again', () => r.peers.filter((p) => p.peer === 'mt:ch:0' && p.up).length === upEvents + 1);
    // The router retries its vault on `peer` up: the queued bundles, and a resend of one it could not confirm.
    for (const b of [...queued, already]) assert.is(await r.bearer.send({ peer: 'mt:ch:0', kind: 'bundle', bytes: new Uint8Array(0), bundle: b }), 'accepted');
    await until('mesh heard queued', () => r.sim.device.mesh.textsReceivedBy(BOB).includes('queued 2'));
    // A marker sent after them: once the mesh heard it, any second copy of those would have been heard before it.
    assert.is(await r.bearer.send({ peer: 'mt:ch:0', kind: 'bundle', bytes: new Uint8Array(0), bundle: bundle('mt:ch:0', 'marker') }), 'accepted');
    await until('mesh heard the marker', () => r.sim.device.mesh.textsReceivedBy(BOB).includes('marker'));
    const heard = r.sim.device.mesh.textsReceivedBy(BOB);
    assert.equal(heard.filter((t) => t === 'queued 1').length, 1);
    assert.equal(heard.filter((t) => t === 'sent before unplug').length, 1, 'same packet id: the mesh drops the resend');
    assert.ok(r.sim.device.mesh.duplicatesDropped >= 1);
    assert.ok((r.bearer.status().detail!.reconnects as number) >= 1);
    assert.match(await r.registry.render(), /lattice_meshtastic_reconnects_total\{bearer="meshtastic0"\} [1-9]/);
  } finally {
    await r.close();
  }
});

test('tcp: a phone app takes the radio: one warning, counted, a growing back-off instead of a fight, reset by a healthy session', async () => {
  // The firmware keeps only the newest TCP client (the simulator too). The "app" reconnects as soon as it is kicked,
  // as phone apps do: a relay that simply reconnected would take the radio back every ~150 ms here.
  const opens: number[] = [];
  // The displaced waits are skipped, so the status shows a back-off only until the gateway sleeps it off: take the
  // status as each wait begins.
  type Displaced = { total: number; streak: number; backingOff: boolean; lastAt?: number; retryAt?: number };
  const waits: Array<Displaced & { lastError?: string }> = [];
  let watch: (() => Displaced & { lastError?: string }) | undefined;
  const clock = new (class extends SkipClock {
    override sleep(ms: number, options?: { signal?: AbortSignal; unref?: boolean }): Promise<void> {
      const d = options?.unref ? undefined : watch?.();
      if (d?.backingOff) waits.push(d);
      return super.sleep(ms, options);
    }
  })();
  const r = await rig('tcp', { displacement: { initialMs: 300, maxMs: 60_000, stableMs: 1000 } }, (open) => (o) => {
    opens.push(clock.now());
    return open(o);
  }, clock);
  const { connect } = await import('node:net');
  let appOn = true;
  const apps: import('node:net').Socket[] = [];
  const app = () => {
    const s = connect({ host: '127.0.0.1', port: r.sim.tcpPort! });
    s.on('error', () => {});
    s.on('close', () => { if (appOn) app(); });
    apps.push(s);
  };
  const displacement = () => r.bearer.status().detail!.displacement as Displaced;
  watch = () => ({ ...displacement(), lastError: r.bearer.status().detail!.lastError as string | undefined });
  try {
    const first = opens.length;
    const appAt = clock.now();
    app();
    await until('displaced four times', () => displacement().total >= 4, 20_000);
    const d = displacement();
    assert.ok(d.streak >= 4);
    assert.is(waits.at(-1)!.lastError, 'displaced by another TCP client of the radio', 'the status says why, while it waits');
    // Each try waited out a doubling back-off, 0.3 s, 0.6 s, 1.2 s, whether the app kicked it once up or during
    // the handshake (before: the plain reconnect back-off, 0.15 s to 0.6 s).
    const tries = [appAt, ...opens.slice(first)];
    const gaps = tries.slice(1).map((t, i) => t - tries[i]!);
    assert.ok(gaps.length >= 3, `tries after the app came: ${gaps.length}`);
    gaps.slice(0, 3).forEach((g, i) => assert.ok(g >= 300 * 2 ** i, `try ${i + 1} came ${g} ms after the one before (gaps ${gaps.join(', ')})`));
    assert.equal(r.logs.filter((l) => /^warn displaced from the radio/.test(l)).length, 1, 'one warning for the run');
    assert.ok(r.logs.some((l) => /^info displaced from the radio again/.test(l)));
    assert.not.ok(r.logs.some((l) => /^warn (lost the TCP connection|handshake with the radio failed)/.test(l)), 'not reported as a lost link');
    assert.match(await r.registry.render(), new RegExp(`lattice_meshtastic_displaced_total\\{bearer="meshtastic0"\\} ${d.total}`));
    // The app gives up: the relay's next try stays up 1 s, which is healthy and resets the back-off.
    appOn = false;
    for (const s of apps) s.destroy();
    await until('healthy again', () => r.bearer.status().state === 'up' && displacement().streak === 0, 20_000);
    assert.not.ok(displacement().backingOff);
    assert.ok(r.logs.some((l) => /displacement back-off reset/.test(l)));
    const totalBefore = displacement().total;
    app();
    appOn = false;
    await until('displaced after the reset, and its back-off begun', () => displacement().total > totalBefore && waits.at(-1)?.lastAt === displacement().lastAt);
    const next = waits.at(-1)!;
    assert.is(next.streak, 1);
    assert.ok(next.retryAt! - next.lastAt! < 600, 'the back-off started over');
    assert.equal(r.logs.filter((l) => /^warn displaced from the radio/.test(l)).length, 2, 'a new run warns again');
  } finally {
    appOn = false;
    for (const s of apps) s.destroy();
    await r.close();
  }
});

test('tcp: a Wi-Fi drop (no FIN) is a lost link, not a displacement', async () => {
  const r = await rig('tcp', { displacement: { initialMs: 60_000 } });
  try {
    const [downs, ups] = [transitions(r, false), transitions(r, true)];
    r.sim.tcp!.dropClient();
    await until('down', () => transitions(r, false) > downs);
    await until('up again at once', () => transitions(r, true) > ups && r.bearer.status().state === 'up', 10_000);
    assert.is((r.bearer.status().detail!.displacement as { total: number }).total, 0);
    assert.ok(r.logs.some((l) => /^warn lost the TCP connection to the radio/.test(l)));
  } finally {
    await r.close();
  }
});

test('tcp: disconnect mid-handshake and a radio reboot are both survived', async () => {
  const r = await rig('tcp');
  try {
    r.sim.device.faults.disconnectAfterHandshakeFrames = 7;
    let [downs, ups] = [transitions(r, false), transitions(r, true)];
    r.sim.tcp!.dropClient();
    await until('down', () => transitions(r, false) > downs);
    await until('up after the cut handshake', () => transitions(r, true) > ups && r.bearer.status().state === 'up');
    assert.is(r.sim.device.faults.disconnectAfterHandshakeFrames, undefined);
    r.logs.length = 0;
    [downs, ups] = [transitions(r, false), transitions(r, true)];
    r.sim.device.reboot();
    await until('down after reboot', () => transitions(r, false) > downs);
    await until('up after reboot', () => transitions(r, true) > ups && r.bearer.status().state === 'up');
    assert.is(await r.bearer.send({ peer: 'mt:ch:0', kind: 'bundle', bytes: new Uint8Array(0), bundle: bundle('mt:ch:0', 'post reboot') }), 'accepted');
    assert.is((r.bearer.status().detail!.displacement as { total: number }).total, 0, `a reboot is not a displacement: ${r.logs.join('\n')}`);
  } finally {
    await r.close();
  }
});

test.run();
