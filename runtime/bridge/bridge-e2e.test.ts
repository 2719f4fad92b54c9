/**
 * The bridge end to end: one relay (the real Daemon) with a Meshtastic and a MeshCore companion radio, both
 * firmware simulators on real PTYs, each with simulated users. Channel text each way with attribution, a long UTF-8
 * text with emoji split with part markers, DMs each way by addressing, replies for unknown / key-less names, echo
 * loops suppressed, a burst over the queue bound while the MeshCore radio is unplugged (oldest shed, the rest in
 * order), a burst within the bound paced by the rate limit, and a restart mid-queue with nothing lost or doubled.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import type { MeshtasticSim } from '../../firmware-protocol/meshtastic/sim/start-meshtastic-sim.js';
import type { MeshCoreSim } from '../../firmware-protocol/meshcore/sim/start-sim.js';
import type { Config } from '../config/config.js';
import type { Daemon } from '../daemon/daemon.js';
import { setLogSink, type LogRecord } from '../log/logger.js';
import { bearerUp, relayConfig, SkipClock, startRadios, startRelay, tempRoot, until } from './testing/bridge-rig.js';

const MT_SELF = 0x5eed0001;
const MT_BOB = 0x22222222; // "Bob Handheld" in the Meshtastic simulator's default mesh
const MT_DAVE = 0x44444444; // "Dave NoKey": no public key known
const root = tempRoot('lattice-bridge-e2e-');
// The bridge's own paces (rate limits, hold-offs) pass at once: the tests wait for what happens, not for the clock.
const clock = new SkipClock();
let mt: MeshtasticSim;
let mc: MeshCoreSim;
let config: Config;
let relay: Daemon;

const mcHeard = () => mc.mesh.channelLog.map((m) => m.text);
const mtHeard = (num: number) => mt.device.mesh.textsReceivedBy(num);
const bridge = () => relay.bridge!;
const dropped = (reason: string) => bridge().status().dropped[reason] ?? 0;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

const warnings: LogRecord[] = [];
let restoreLog: () => void;

test.before(async () => {
  // Warnings are kept for the checks below; the rest of the relay's log is not printed.
  restoreLog = setLogSink((r) => { if (r.level === 'warn' || r.level === 'error') warnings.push(r); }, 'warn');
  ({ mt, mc } = await startRadios('Relay', MT_SELF, clock));
  config = await relayConfig(join(root.dir, 'relay'), mt, mc, {
    // The second mapping names a MeshCore channel the radio does not have: a warning, nothing else.
    mappings: [{ meshtastic: 0, meshcore: 'public' }, { meshtastic: 1, meshcore: '#nosuch', direction: 'mt-to-mc' }],
    limits: { mtToMc: { messagesPerMinute: 60, burst: 1, airtimeMsPerHour: 3_600_000 }, mcToMt: { messagesPerMinute: 30, airtimeMsPerHour: 3_600_000 } },
    queue: { maxEntries: 4 },
  });
  relay = await startRelay(config, { clock });
  await until('both radios up', () => bearerUp(relay, 'meshtastic') && bearerUp(relay, 'meshcore'));
});

test.after(async () => {
  await relay?.stop();
  await mt?.stop();
  await mc?.stop();
  root.remove();
  restoreLog();
});

test('a mapping naming a channel the radio lacks is reported once, and the status shows it unresolved', async () => {
  const w = await until('the warning', () => warnings.filter((r) => r.namespace === 'bridge' && r.message.startsWith('bridge mapping names a channel')));
  assert.is(w.length, 1);
  assert.is(w[0]!.fields?.channel, '#nosuch');
  assert.is(w[0]!.fields?.radio, 'meshcore0');
  assert.match(String(w[0]!.fields?.channels), /0:Public/);
  const m = bridge().status().mappings[1]!;
  assert.is(m.resolved.meshcore, undefined);
  assert.is(m.resolved.meshtastic, 1);
});

test('the relay\'s status shows both radios from their typed view', () => {
  const radios = relay.status().radios ?? [];
  const mtRadio = radios.find((r) => r.mesh === 'meshtastic');
  const mcRadio = radios.find((r) => r.mesh === 'meshcore');
  assert.is(mtRadio?.link.state, 'up');
  assert.is(mtRadio?.self?.address, `mt:!${MT_SELF.toString(16)}`);
  assert.ok(mtRadio?.nodes.some((n) => n.address === `mt:!${MT_BOB.toString(16)}` && n.name === 'Bob Handheld'));
  assert.is(mcRadio?.link.state, 'up');
  assert.is(mcRadio?.self?.name, 'Relay-mc');
  assert.ok(mcRadio?.channels.some((c) => c.index === 0 && c.name === 'Public' && c.usable));
});

test('Meshtastic channel text reaches the MeshCore channel from the relay, attributed to its sender', async () => {
  mt.device.injectText({ from: MT_BOB, channel: 0, text: 'anyone on the hill?' });
  const line = await until('MeshCore Public hears it', () => mcHeard().find((t) => t.includes('anyone on the hill?')));
  // MeshCore shows "<sending radio's name>: text": the relay's radio sent it, the text names Bob.
  assert.is(line, 'Relay-mc: MT@Bob Handheld: anyone on the hill?');
});

test('MeshCore channel text reaches the Meshtastic channel, attributed to its sender', async () => {
  mc.mesh.node('Bob').sendChannel('Public', 'yes, on the ridge');
  const t = await until('Meshtastic Bob hears it', () => mtHeard(MT_BOB).find((x) => x.includes('yes, on the ridge')));
  assert.is(t, 'MC@Bob: yes, on the ridge');
});

test('a long UTF-8 text with emoji is split to MeshCore size with part markers, nothing lost or torn', async () => {
  const family = '👨‍👩‍👧‍👦';
  const text = `Storm report ${family}: the north relay 🌩️ lost power at 03:12, solar back at 07:40, batteries 87 %. ` +
    `Ünïcödé and 日本語 survive. Road to the hut is blocked by a fallen tree ${family}${family}, take the east path.`;
  assert.ok(bytes(text) > 160);
  const before = mcHeard().length;
  mt.device.injectText({ from: MT_BOB, channel: 0, text });
  const parts = await until('all parts heard', () => {
    const got = mcHeard().slice(before).filter((t) => /\(\d+\/\d+\) /.test(t));
    const n = Number(/\(\d+\/(\d+)\)/.exec(got[0] ?? '')?.[1] ?? 0);
    return n > 1 && got.length === n ? got : undefined;
  });
  const prefix = 'Relay-mc: MT@Bob Handheld: ';
  for (const [i, p] of parts.entries()) {
    assert.ok(bytes(p) <= 160, `part ${i + 1} is ${bytes(p)} bytes`);
    assert.ok(p.startsWith(`${prefix}(${i + 1}/${parts.length}) `), p);
    assert.not.ok(p.includes('\uFFFD'));
  }
  assert.is(parts.map((p) => p.replace(/^Relay-mc: MT@Bob Handheld: \(\d+\/\d+\) /, '')).join(''), text);
});

test('DM by addressing, Meshtastic -> MeshCore: "@MC:Alice ..." to the relay reaches contact Alice as a DM', async () => {
  mt.device.injectText({ from: MT_BOB, to: MT_SELF, text: '@MC:Alice are you coming?' });
  const dm = await until('Alice gets the DM', () => mc.mesh.node('Alice').inbox.find((m) => m.text.includes('are you coming?')));
  assert.is(dm.text, 'MT@Bob Handheld: are you coming?');
});

test('DM by addressing, MeshCore -> Meshtastic: "@MT:Bob ..." reaches node Bob Handheld as a DM', async () => {
  mc.mesh.node('Alice').sendDirect('@MT:Bob on my way');
  const got = await until('Bob gets the DM', () =>
    mt.device.mesh.received.find((r) => r.node === MT_BOB && r.to === MT_BOB && r.text?.includes('on my way')));
  assert.is(got.text, 'MC@Alice: on my way');
});

test('unknown name and a node without a key get a clear reply on the sender\'s own mesh', async () => {
  const unknownBefore = dropped('unknown-name');
  mt.device.injectText({ from: MT_BOB, to: MT_SELF, text: '@MC:Zed hello?' });
  const reply = await until('Bob hears the reply', () =>
    mt.device.mesh.received.find((r) => r.node === MT_BOB && r.to === MT_BOB && r.text?.includes('Zed')));
  assert.match(reply.text!, /no MeshCore node named "Zed"/);
  assert.is(dropped('unknown-name'), unknownBefore + 1);

  mc.mesh.node('Alice').sendDirect('@MT:Dave hi Dave');
  const noKey = await until('Alice hears the no-key reply', () => mc.mesh.node('Alice').inbox.find((m) => m.text.includes('no public key')));
  assert.match(noKey.text, /Dave NoKey/);
  assert.is(dropped('no-key'), 1);
  assert.not.ok(mt.device.mesh.received.some((r) => r.node === MT_DAVE && r.text?.includes('hi Dave')));
});

test('echo loops: bridged text coming back (a bot repeating it, with or without the tag) is not bridged again', async () => {
  const loops = dropped('loop');
  const mtBefore = mtHeard(MT_BOB).length;
  const bot = mc.mesh.node('Alice'); // a chat node: repeaters do not post
  bot.sendChannel('Public', 'MT@Bob Handheld: anyone on the hill?'); // tag and all
  bot.sendChannel('Public', 'anyone on the hill?'); // the words only: the echo window
  await until('two loops counted', () => dropped('loop') === loops + 2);
  // A fresh text still goes through, and nothing of the echoes reached Meshtastic before it.
  bot.sendChannel('Public', 'fresh words');
  await until('fresh text bridged', () => mtHeard(MT_BOB).some((t) => t.includes('fresh words')));
  assert.equal(mtHeard(MT_BOB).slice(mtBefore), ['MC@Alice: fresh words']);
});

test('a burst within the bound is queued and drained in order at the rate limit', async () => {
  const before = mcHeard().length;
  let deepest = 0;
  const off = bridge().events.on('queued', () => { deepest = Math.max(deepest, bridge().status().queues['mt-to-mc']); });
  const skippedBefore = clock.skipped;
  for (let i = 1; i <= 4; i++) mt.device.injectText({ from: MT_BOB, channel: 0, text: `burst ${i}` });
  // Heard, and drained: the last part's send has completed (the next test unplugs the radio, and a send it cut short
  // would rightly be tried again).
  const got = await until('four heard, the queue drained', () => (mcHeard().length - before >= 4 && bridge().status().queues['mt-to-mc'] === 0 ? mcHeard().slice(before) : undefined));
  off();
  assert.equal(got, [1, 2, 3, 4].map((i) => `Relay-mc: MT@Bob Handheld: burst ${i}`));
  assert.ok(deepest >= 2, `the rate limit (1/s) held messages in the queue (deepest ${deepest})`);
  // Parts 2-4 each waited about a second for the limit, on the bridge's clock.
  assert.ok(clock.skipped - skippedBefore >= 2500, `paced by the rate limit (${clock.skipped - skippedBefore} ms)`);
});

test('MeshCore radio unplugged: a burst over the queue bound sheds the oldest broadcasts, the rest go out in order', async () => {
  const shedBefore = dropped('limit');
  const replug = plugBack();
  const back = mc.disconnect({ until: replug.promise });
  const before = mcHeard().length;
  try {
    await until('MeshCore radio down', () => !bearerUp(relay, 'meshcore'));
    for (let i = 1; i <= 7; i++) mt.device.injectText({ from: MT_BOB, channel: 0, text: `storm ${i}` });
    await until('queue at its bound', () => bridge().status().queues['mt-to-mc'] === 4 && dropped('limit') === shedBefore + 3);
  } finally {
    // Plugged back whatever happened: a radio left unplugged after a failure kept the simulator's stop (and so this
    // file) waiting until the runner's timeout.
    replug.now();
  }
  await back;
  const got = await until('the four kept are heard, the queue drained', () => (mcHeard().length - before >= 4 && bridge().status().queues['mt-to-mc'] === 0 ? mcHeard().slice(before) : undefined));
  assert.equal(got, [4, 5, 6, 7].map((i) => `Relay-mc: MT@Bob Handheld: storm ${i}`));
});

/** The radio stays unplugged until the test says so (no guess at how long the steps in between take). */
function plugBack(): { promise: Promise<void>; now(): void } {
  let now!: () => void;
  const promise = new Promise<void>((resolve) => { now = resolve; });
  return { promise, now };
}

test('restart mid-queue: queued parts survive and go out once, in order', async () => {
  const replug = plugBack();
  const back = mc.disconnect({ until: replug.promise });
  const before = mcHeard().length;
  try {
    await until('MeshCore radio down', () => !bearerUp(relay, 'meshcore'));
    for (let i = 1; i <= 3; i++) mt.device.injectText({ from: MT_BOB, channel: 0, text: `restart ${i}` });
    await until('three queued', () => bridge().status().queues['mt-to-mc'] === 3);
    await relay.stop();
    relay = await startRelay(config, { clock });
    assert.is(relay.bridge!.status().queues['mt-to-mc'], 3, 'the queue came back from disk');
  } finally {
    replug.now();
  }
  await back;
  await until('queue drained', () => relay.bridge!.status().queues['mt-to-mc'] === 0 && mcHeard().length - before >= 3);
  // One more message after the drain proves nothing else was pending behind it.
  mt.device.injectText({ from: MT_BOB, channel: 0, text: 'after restart' });
  await until('marker heard', () => mcHeard().some((t) => t.endsWith('after restart')));
  assert.equal(mcHeard().slice(before), [
    ...[1, 2, 3].map((i) => `Relay-mc: MT@Bob Handheld: restart ${i}`),
    'Relay-mc: MT@Bob Handheld: after restart',
  ]);
});

test('trace: the source shows where it went, the bridged bundle where it came from', async () => {
  // Bounded: a text that is never bridged fails this test instead of holding the file until the runner's timeout.
  const ids = await new Promise<{ sourceId: string; bundleId: string }>((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error('timed out after 30000 ms waiting for the bridged event of "trace me"')); }, 30_000);
    const off = relay.bridge!.events.on('bridged', (e) => { clearTimeout(timer); off(); resolve(e); });
    mt.device.injectText({ from: MT_BOB, channel: 0, text: 'trace me' });
  });
  const src = await until('source trace', () => relay.bundle(ids.sourceId)?.events.find((e) => e.event === 'bridged') && relay.bundle(ids.sourceId));
  assert.ok(src.events.some((e) => e.event === 'bridged' && e.peer === 'mc:ch:0' && e.detail?.includes(ids.bundleId)));
  const out = await until('bridged bundle trace', () => relay.bundle(ids.bundleId)?.events.find((e) => e.event === 'bridged-from') && relay.bundle(ids.bundleId));
  assert.ok(out.events.some((e) => e.event === 'bridged-from' && e.detail === ids.sourceId));
});

test.run();
