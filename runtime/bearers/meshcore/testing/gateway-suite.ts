/**
 * The MeshCore gateway contract suite: runs against the simulator (over a PTY or TCP) in the normal tests, and
 * against a real companion radio in hil-tests/ when LATTICE_HIL_MESHCORE_PORT names one. Cases that need to make
 * the mesh do something (a node sends, an ACK is lost, the link drops) run only with the simulator.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createMetrics, type Metrics } from '../../../metrics/metrics.js';
import type { LinkOpener } from '../../../../firmware-protocol/framing/byte-link.js';
import type { MeshCoreSim } from '../../../../firmware-protocol/meshcore/sim/start-sim.js';
import type { ForeignMessage, PeerEvent } from '../../../bearer/bearer.js';
import type { Bundle } from '../../../bundle/bundle.js';
import { MeshCoreGateway, type MeshCoreGatewayOptions } from '../meshcore-gateway.js';
import { waitFor as until } from '../../../../lib/testing/wait-for.js';

export interface SuiteTarget {
  open: LinkOpener;
  /** Present for the simulator: lets cases drive the mesh and inject faults. */
  sim?: MeshCoreSim;
  /** Real radio only: a channel index it may send a test message on, and a contact key (hex) to DM. */
  channelIndex?: number;
  contactHex?: string;
  stop(): Promise<void>;
}

const T = 15_000;

/** A radio unplugged until the test plugs it back (`now()`), when it is done with the radio away. */
function pluggedBackBy(): { promise: Promise<void>; now(): void } {
  let now!: () => void;
  const promise = new Promise<void>((resolve) => { now = resolve; });
  return { promise, now };
}

export function textBundle(recipient: string, text: string, options: { lifetime?: number; sentAt?: number } = {}): Bundle {
  return {
    sender: new Uint8Array(32).fill(1), recipient, sentAt: options.sentAt ?? Date.now(), lifetime: options.lifetime ?? 600_000,
    body: new TextEncoder().encode(text), sealed: false, hops: 0, custody: [], signature: new Uint8Array(64),
  };
}

/** The polling wait of these suites (lib's waitFor), for the gateway tests that import it from here. */
export { until };

export function nextForeign(gw: MeshCoreGateway, pred: (m: ForeignMessage) => boolean = () => true): Promise<ForeignMessage> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { off(); reject(new Error('timed out waiting for a foreign message')); }, T);
    const off = gw.on('foreign', (m) => { if (pred(m)) { clearTimeout(t); off(); resolve(m); } });
  });
}

interface Ctx {
  target: SuiteTarget;
  gw: MeshCoreGateway;
  registry: Metrics;
  peers: PeerEvent[];
}

export function meshCoreGatewaySuite(name: string, makeTarget: () => Promise<SuiteTarget>, gatewayOptions: Partial<MeshCoreGatewayOptions> = {}) {
  const s = suite<Ctx>(name);

  s.before.each(async (ctx) => {
    ctx.target = await makeTarget();
    ctx.registry = createMetrics({ defaultMetrics: false });
    ctx.peers = [];
    ctx.gw = new MeshCoreGateway({
      // Reconnect tries every 100-200 ms: a simulated radio comes back 0.2-0.3 s after it went (a PTY's socat a
      // moment later), and a back-off doubling to 1 s made the PTY reboot case wait ~0.4 s longer than the radio took.
      name: 'meshcore0', open: ctx.target.open, metrics: ctx.registry, reconnect: { initialMs: 100, maxMs: 200 },
      dmRetry: { minAckWaitMs: 300, ackWaitFactor: 0.5, backoffBaseMs: 100, backoffMaxMs: 1000 },
      session: { commandTimeoutMs: 5000 }, ...gatewayOptions,
    });
    ctx.gw.on('peer', (e) => ctx.peers.push(e));
    await ctx.gw.start();
    await ctx.gw.whenUp({ signal: AbortSignal.timeout(T) });
  });

  s.after.each(async (ctx) => {
    await ctx.gw.stop();
    await ctx.target.stop();
  });

  s('handshake: status shows firmware, key, name, radio, contacts; peers announced', async ({ gw, peers, target }) => {
    const st = gw.status();
    assert.is(st.state, 'up');
    const d = st.detail as any;
    assert.ok(d.firmware.verCode >= 1);
    assert.match(d.publicKey, /^[0-9a-f]{64}$/);
    assert.type(d.name, 'string');
    assert.ok(d.radio.freqMHz > 100 && d.radio.sf >= 5);
    assert.ok(peers.some((p) => p.peer === 'mc:ch:0' && p.up));
    assert.ok(gw.canReach('mc:ch:0'));
    assert.not.ok(gw.canReach('*'));
    assert.not.ok(gw.canReach('mt:ch:0'));
    if (target.sim) {
      assert.is(d.firmware.version, 'v1.17.1');
      assert.equal(d.contacts.map((c: any) => c.name).sort(), ['Alice', 'Bob']);
      const alice = target.sim.mesh.node('Alice');
      assert.ok(peers.some((p) => p.peer === `mc:${alice.hex}` && p.up && p.name === 'Alice'));
      assert.is(target.sim.device.ram.appTargetVer, 3);
    }
  });

  s('DM to an unknown contact: canReach false, send unreachable with a typed error in status', async ({ gw }) => {
    const peer = `mc:${'ab'.repeat(32)}`;
    assert.not.ok(gw.canReach(peer));
    assert.is(await gw.send({ peer, kind: 'bundle', bytes: new Uint8Array(0), bundle: textBundle(peer, 'x') }), 'unreachable');
    assert.is((gw.status().detail as any).lastError.name, 'MeshCoreContactUnknownError');
  });

  s('a node heard for the first time becomes a reachable peer (advert → contact → peer up)', async ({ gw, target, peers }) => {
    if (!target.sim) return;
    const carol = target.sim.mesh.addNode({ name: 'Carol' });
    const peer = `mc:${carol.hex}`;
    assert.not.ok(gw.canReach(peer));
    carol.advert();
    await until('peer up for Carol', () => peers.some((p) => p.peer === peer && p.up && p.name === 'Carol'));
    assert.ok(gw.canReach(peer));
    // By 6-byte prefix too, as the firmware reports senders.
    assert.ok(gw.canReach(`mc:${carol.hex.slice(0, 12)}`));
  });

  s('sealed or empty bundles are not carried', async ({ gw }) => {
    const sealed = { ...textBundle('mc:ch:0', 'secret'), sealed: true };
    assert.is(await gw.send({ peer: 'mc:ch:0', kind: 'bundle', bytes: new Uint8Array(0), bundle: sealed }), 'unreachable');
    assert.is(await gw.send({ peer: 'mc:ch:0', kind: 'bundle', bytes: new Uint8Array(0), bundle: textBundle('mc:ch:0', '') }), 'unreachable');
    assert.is(await gw.send({ peer: 'mc:ch:0', kind: 'bloom', bytes: new Uint8Array(4) }), 'unreachable');
    try {
      await gw.send({ peer: 'mc:nonsense', kind: 'bundle', bytes: new Uint8Array(0), bundle: textBundle('mc:nonsense', 'x') });
      assert.unreachable();
    } catch (err) {
      assert.is((err as Error).name, 'MeshCoreAddressError');
    }
  });

  s('channel send goes out as text with the radio name prefixed', async ({ gw, target }) => {
    const idx = target.sim ? 0 : target.channelIndex;
    if (idx === undefined) return;
    const r = await gw.send({ peer: `mc:ch:${idx}`, kind: 'bundle', bytes: new Uint8Array(0), bundle: textBundle(`mc:ch:${idx}`, 'lattice test') });
    assert.is(r, 'accepted');
    if (target.sim) assert.is(target.sim.mesh.channelLog.at(-1)!.text, `${(gw.status().detail as any).name}: lattice test`);
  });

  s('a channel text whose answer the link lost is reported sent and never sent twice', async ({ gw, target, registry }) => {
    if (!target.sim) return;
    const sim = target.sim;
    // The radio puts the text on the air and the link drops at that instant, before RESP_OK reaches the host (a USB
    // unplug, a TCP reset). Answering unreachable would make the router send it again after the reconnect: the
    // channel would hear it twice.
    let down: Promise<void> | undefined;
    const off = sim.mesh.onHeard((h) => {
      if (h.kind === 'channel' && h.message.text.endsWith(': cut off')) down ??= sim.disconnect({ downMs: 200 });
    });
    const r = await gw.send({ peer: 'mc:ch:0', kind: 'bundle', bytes: new Uint8Array(0), bundle: textBundle('mc:ch:0', 'cut off') });
    off();
    assert.ok(down, 'the link dropped while the text was on the air');
    assert.is(r, 'accepted');
    await down;
    assert.is(sim.mesh.channelLog.filter((m) => m.text.endsWith(': cut off')).length, 1);
    assert.match(await registry.render(), /lattice_meshcore_unconfirmed_sends_total\{bearer="meshcore0"\} 1/);
  });

  s('DM with confirmation (ACK code and RTT in status and metrics)', async ({ gw, target, registry }) => {
    const hex = target.sim ? target.sim.mesh.node('Alice').hex : target.contactHex;
    if (!hex) return;
    const peer = `mc:${hex}`;
    assert.ok(gw.canReach(peer));
    assert.is(await gw.send({ peer, kind: 'bundle', bytes: new Uint8Array(0), bundle: textBundle(peer, 'hello alice') }), 'accepted');
    await until('SEND_CONFIRMED', () => (gw.status().detail as any).dm.confirmations === 1, 60_000);
    assert.type((gw.status().detail as any).dm.lastRttMs, 'number');
    assert.match(await registry.render(), /lattice_meshcore_acks_total\{bearer="meshcore0"\} 1/);
    if (target.sim) assert.is(target.sim.mesh.node('Alice').inbox[0].text, 'hello alice');
  });

  s('channel and DM receive become foreign messages', async ({ gw, target, registry }) => {
    if (!target.sim) return;
    const alice = target.sim.mesh.node('Alice');
    const bob = target.sim.mesh.node('Bob');
    const ch = nextForeign(gw, (m) => !m.direct);
    alice.sendChannel('Public', 'hello relay', { snr: 7.5 });
    const m = await ch;
    assert.is(m.from, 'mc:ch:0');
    assert.is(m.to, 'mc:ch:0');
    assert.is(m.fromName, 'Alice');
    assert.is(m.text, 'hello relay');
    assert.is(m.snr, 7.5);
    assert.type(m.packetId, 'number');
    const dm = nextForeign(gw, (x) => x.direct);
    bob.sendDirect('psst relay');
    const d = await dm;
    assert.is(d.from, `mc:${bob.hex}`);
    assert.is(d.fromName, 'Bob');
    assert.is(d.to, `mc:${(gw.status().detail as any).publicKey}`);
    assert.is(d.text, 'psst relay');
    const m2 = await registry.render();
    assert.match(m2, /lattice_meshcore_rx_to_gateway_seconds_count\{bearer="meshcore0"\} 2/);
    assert.match(m2, /lattice_meshcore_messages_in_total\{bearer="meshcore0",kind="direct"\} 1/);
  });

  s('lost confirmation → the gateway retries with attempt+1 until confirmed', async ({ gw, target, registry }) => {
    if (!target.sim) return;
    const alice = target.sim.mesh.node('Alice');
    alice.loseAcks = 2;
    const peer = `mc:${alice.hex}`;
    assert.is(await gw.send({ peer, kind: 'bundle', bytes: new Uint8Array(0), bundle: textBundle(peer, 'are you there') }), 'accepted');
    await until('confirmation after retries', () => (gw.status().detail as any).dm.confirmations === 1, 30_000);
    assert.equal(alice.inbox.map((m) => m.attempt), [0, 1, 2]);
    assert.ok(alice.inbox.every((m) => m.text === 'are you there'));
    assert.is((gw.status().detail as any).dm.retries, 2);
    assert.match(await registry.render(), /lattice_meshcore_dm_retries_total\{bearer="meshcore0"\} 2/);
    await until('job finished', () => (gw.status().detail as any).dm.inFlight === 0);
  });

  s('an unconfirmed DM is given up when the bundle expires', async ({ gw, target }) => {
    if (!target.sim) return;
    const alice = target.sim.mesh.node('Alice');
    alice.reachable = false;
    const peer = `mc:${alice.hex}`;
    // 1 s: long enough to be sent (accepted) and to wait out the first ACK window and back-off (≈ 0.6 s), so the
    // give-up is the bundle's expiry while a retry is pending, not a refusal to send.
    assert.is(await gw.send({ peer, kind: 'bundle', bytes: new Uint8Array(0), bundle: textBundle(peer, 'void', { lifetime: 1000 }) }), 'accepted');
    await until('expiry', () => (gw.status().detail as any).dm.expired === 1, 20_000);
    assert.is((gw.status().detail as any).dm.confirmations, 0);
    assert.is((gw.status().detail as any).dm.inFlight, 0);
  });

  s('link drop: peers down, unreachable while down, offline queue drained and peers up after reconnect', async ({ gw, target, peers, registry }) => {
    if (!target.sim) return;
    const sim = target.sim;
    const alice = sim.mesh.node('Alice');
    // Unplugged until the steps below are done (not for a guessed time).
    const replug = pluggedBackBy();
    const dropped = sim.disconnect({ until: replug.promise });
    await until('peer down', () => peers.some((p) => p.peer === 'mc:ch:0' && !p.up));
    assert.not.ok(gw.canReach('mc:ch:0'));
    assert.is(await gw.send({ peer: 'mc:ch:0', kind: 'bundle', bytes: new Uint8Array(0), bundle: textBundle('mc:ch:0', 'x') }), 'unreachable');
    // Heard while no app is connected: the radio queues it (TCP: isConnected false, so no MSG_WAITING either).
    assert.ok(alice.sendChannel('Public', 'while you were away'));
    const got = nextForeign(gw, (m) => m.text === 'while you were away');
    replug.now();
    await dropped;
    await got;
    await until('peer up again', () => peers.filter((p) => p.peer === 'mc:ch:0' && p.up).length === 2);
    assert.ok(gw.canReach('mc:ch:0'));
    assert.is(sim.device.ram.offlineQueue.length, 0);
    assert.match(await registry.render(), /lattice_meshcore_reconnects_total\{bearer="meshcore0"\} 1/);
  });

  s('outbox semantics: a bundle refused while down goes out exactly once after the peer-up event', async ({ gw, target }) => {
    if (!target.sim) return;
    const sim = target.sim;
    // A minimal stand-in for the router's vault outbox: keep what was refused, re-send on `peer` up.
    const outbox = new Map<string, ReturnType<typeof textBundle>>();
    const trySend = async (peer: string, b: ReturnType<typeof textBundle>) => {
      const r = await gw.send({ peer, kind: 'bundle', bytes: new Uint8Array(0), bundle: b });
      if (r === 'accepted') outbox.delete(peer);
      else outbox.set(peer, b);
    };
    const resent: Promise<void>[] = [];
    gw.on('peer', (e) => {
      const b = outbox.get(e.peer);
      if (e.up && b) resent.push(trySend(e.peer, b));
    });
    const replug = pluggedBackBy();
    const down = sim.disconnect({ until: replug.promise });
    await until('down', () => gw.status().state !== 'up');
    await trySend('mc:ch:0', textBundle('mc:ch:0', 'stored while down'));
    assert.is(outbox.size, 1);
    replug.now();
    await down;
    await until('re-sent after reconnect', () => outbox.size === 0);
    await Promise.all(resent);
    assert.is(sim.mesh.channelLog.filter((m) => m.text.endsWith(': stored while down')).length, 1);
  });

  s('radio reboot: RAM state lost, session renegotiated', async ({ gw, target }) => {
    if (!target.sim) return;
    const sim = target.sim;
    await sim.reboot({ downMs: 300 });
    await until('reconnected', () => gw.status().state === 'up' && sim.device.ram.appTargetVer === 3);
    const got = nextForeign(gw, (m) => m.text === 'after reboot');
    sim.mesh.node('Bob').sendChannel('Public', 'after reboot');
    await got;
  });

  s('garbage and split frames on the line are survived and counted', async ({ gw, target, registry }) => {
    if (!target.sim) return;
    const sim = target.sim;
    sim.injectGarbage(Uint8Array.of(0x00, 0x3e, 0xff, 0xff, 0x13, 0x37, 0x3e, 0x00, 0x00, 0x42));
    sim.setSplitFrames(true);
    const got = nextForeign(gw, (m) => m.text === 'still here');
    sim.mesh.node('Alice').sendChannel('Public', 'still here');
    await got;
    assert.match(await registry.render(), /lattice_meshcore_decode_errors_total\{bearer="meshcore0"\} [1-9]/);
    assert.ok(gw.canReach('mc:ch:0'));
  });

  return s;
}
