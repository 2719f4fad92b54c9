/**
 * Meshtastic over BLE against the simulated radio: node-ble and our facade talk D-Bus to a private bus with
 * python3-dbusmock's BlueZ template, whose GATT objects are bridged to the Meshtastic simulator (testing/
 * ble-sim-bridge.ts). The same session contract suite as over a PTY and TCP, then the BLE faults: link loss
 * mid-session, adapter powered off, FromNum notifications out of order / repeated / bunched.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BluezMock, type MockRadio } from '../../drivers/ble/testing/bluez-mock.js';
import { registerSessionSuite } from '../../firmware-protocol/meshtastic/testing/session-suite.js';
import { startMeshtasticSim, type MeshtasticSim } from '../../firmware-protocol/meshtastic/sim/start-meshtastic-sim.js';
import { MeshtasticSession } from '../../firmware-protocol/meshtastic/session.js';
import { meshtasticOpener } from '../bearers/meshtastic/device-opener.js';
import { MeshtasticBearer } from '../bearers/meshtastic/meshtastic-bearer.js';
import { captureLogs } from '../log/testing/capture-logs.js';
import { createMetrics } from '../metrics/metrics.js';
import { BleSimBridge } from './testing/ble-sim-bridge.js';
import { waitFor as until } from '../../lib/testing/wait-for.js';
import { SkipClock } from '../../lib/testing/skip-clock.js';

const ADDRESS = 'C0:FF:EE:00:00:01';
let mock: BluezMock;
let sim: MeshtasticSim;
let radio: MockRadio;
let bridge: BleSimBridge;
const metrics = createMetrics({ defaultMetrics: false });
// The suite sessions' text pacing skips (as over a PTY and TCP, meshtastic-session-suite.test.ts); the simulated
// radio's rate limit reads the same clock and sees it kept: the back-to-back texts case no longer waits 2 s.
const clock = new SkipClock();
const opener = () => meshtasticOpener(`ble:${ADDRESS}`, { ble: { busAddress: mock.address, scanTimeoutMs: 5000, connectTimeoutMs: 10_000, metrics } });

const s = suite('meshtastic session suite over BLE');
s.before(async () => {
  mock = await BluezMock.start();
  sim = await startMeshtasticSim({ tcpPort: 0, seed: 11, now: () => clock.now() });
  // FIXED_PIN mode with the firmware default PIN (NodeDB.cpp, DebugConfiguration.h defaultBLEPin).
  radio = await mock.addRadio({ address: ADDRESS, name: 'Meshtastic_beef', profile: 'meshtastic', pin: 123456, rssi: -67 });
  bridge = new BleSimBridge(radio, { port: sim.tcpPort! });
  await bridge.start();
});
registerSessionSuite(s, { open: () => opener()(), sim: () => sim.device, transmit: true, channel: 0, clock });
s.run();

const f = suite('meshtastic BLE link faults');

f('wake bytes are not written to ToRadio; each ToRadio write is one bare protobuf', async () => {
  const writes: Uint8Array[] = [];
  const off = await radio.onWrite('toradio', (v) => writes.push(v));
  const session = new MeshtasticSession({ link: await opener()() });
  try {
    await session.start();
    assert.ok(writes.length >= 1);
    assert.not.ok(writes.some((w) => w[0] === 0x94 && w[1] === 0xc3), 'no stream header over BLE');
    assert.not.ok(writes.some((w) => w.every((b) => b === 0xc3)), 'no wake bytes over BLE');
  } finally {
    off();
    await session.stop();
  }
});

f('link loss mid-session: the session closes with MeshtasticLinkLostError; a new link works once the radio is back', async () => {
  const session = new MeshtasticSession({ link: await opener()() });
  await session.start();
  const closed = new Promise<Error | undefined>((r) => session.on('closed', r));
  await radio.setInRange(false);
  const err = await closed;
  assert.is(err?.name, 'MeshtasticLinkLostError');
  assert.is((err?.cause as Error | undefined)?.name, 'BleDisconnectedError');
  try {
    await opener()();
    assert.unreachable('connect must fail while out of range');
  } catch (e) {
    assert.is((e as Error).name, 'BleConnectError');
  }
  await radio.setInRange(true);
  const again = new MeshtasticSession({ link: await opener()() });
  try {
    const info = await again.start();
    assert.match(info.nodeId, /^![0-9a-f]{8}$/);
  } finally {
    await again.stop();
  }
  const text = await metrics.render();
  assert.match(text, /lattice_ble_drops_total\{device="C0:FF:EE:00:00:01"\} 1/);
  assert.match(text, /lattice_ble_connects_total\{device="C0:FF:EE:00:00:01",result="BleConnectError"\} 1/);
  assert.match(text, /lattice_ble_rssi_dbm\{device="C0:FF:EE:00:00:01"\} -67/);
});

f('FromNum notifications out of order, repeated and bunched: every FromRadio arrives once, in order', async () => {
  const session = new MeshtasticSession({ link: await opener()() });
  await session.start();
  let stale = 0;
  // After each FromRadio the radio also sends stale and repeated FromNum values, and every other FromRadio is
  // held back and queued together with the next one (one notification for two reads).
  let held: Uint8Array | undefined;
  bridge.deliver = async (p, send) => {
    if (held === undefined) {
      held = p;
      return;
    }
    await radio.pushFromRadio(held);
    held = undefined;
    await send(p);
    const v = new Uint8Array(4);
    new DataView(v.buffer).setUint32(0, stale++ % 3, true);
    await radio.notify('fromnum', v);
    await radio.notify('fromnum', v);
  };
  try {
    const got: string[] = [];
    session.on('message', (m) => m.text?.startsWith('order ') && got.push(m.text));
    for (let i = 0; i < 10; i++) sim.device.injectText({ from: 0x22222222, channel: 0, text: `order ${i}` });
    // Markers after them (two: the radio above holds every other FromRadio back until the next): once they
    // arrived, a repeated or late one of the ten would have come before them.
    for (const end of ['order end', 'order end 2']) sim.device.injectText({ from: 0x22222222, channel: 0, text: end });
    await until('the ten and the markers', () => got.includes('order end 2'));
    assert.equal(got, [...Array.from({ length: 10 }, (_, i) => `order ${i}`), 'order end', 'order end 2']);
    assert.is(session.stats.decodeErrors, 0);
  } finally {
    bridge.deliver = undefined;
    await session.stop();
  }
});

f('adapter powered off: the open link closes, opening fails with BleAdapterPoweredOffError, and works after power on', async () => {
  const session = new MeshtasticSession({ link: await opener()() });
  await session.start();
  const closed = new Promise<Error | undefined>((r) => session.on('closed', r));
  await mock.setPowered(false);
  assert.is((await closed)?.name, 'MeshtasticLinkLostError');
  try {
    await opener()();
    assert.unreachable('open must fail while the adapter is off');
  } catch (e) {
    assert.is((e as Error).name, 'BleAdapterPoweredOffError');
  }
  await mock.setPowered(true);
  const again = new MeshtasticSession({ link: await opener()() });
  try {
    await again.start();
    assert.is(again.state, 'ready');
  } finally {
    await again.stop();
  }
});

f('the bearer rides out link loss: down and unreachable while out of range, up again by itself with backoff', async () => {
  const registry = createMetrics({ defaultMetrics: false });
  const bearer = new MeshtasticBearer({
    name: 'meshtastic0',
    device: `ble:${ADDRESS}`,
    transport: 'ble',
    opener: opener(),
    metrics: registry,
    // A back-off all the same (the failed connects below are spaced), short enough that coming back in range is
    // noticed within 0.3 s.
    backoffMs: { initial: 100, max: 300 },
    session: { handshakeTimeoutMs: 15_000 },
  });
  const peers: Array<{ peer: string; up: boolean }> = [];
  bearer.on('peer', (p) => peers.push(p));
  const logs = captureLogs('info');
  await bearer.start();
  try {
    await until('bearer up', () => bearer.status().state === 'up');
    await radio.setInRange(false);
    await until('bearer down', () => bearer.status().state === 'down');
    assert.not.ok(bearer.canReach('mt:ch:0'));
    assert.ok(peers.some((p) => p.peer === 'mt:ch:0' && !p.up), 'peers go down, so the router keeps bundles in the vault');
    const failedConnects = () => logs.records.filter((r) => (r.fields?.err as { name?: string } | undefined)?.name === 'BleConnectError').length;
    await until('a few failed connects while out of range', () => failedConnects() >= 2);
    await radio.setInRange(true);
    await until('bearer up again', () => bearer.status().state === 'up', 20_000);
    assert.ok(bearer.canReach('mt:ch:0'));
    assert.match(await registry.render(), /lattice_meshtastic_reconnects_total\{bearer="meshtastic0"\} 1/);
    assert.ok(logs.records.some((r) => r.fields?.err && (r.fields.err as { name?: string }).name === 'BleConnectError'), 'failed connects logged with their typed error');
  } finally {
    await bearer.stop();
    logs.restore();
  }
});

f('a radio with a screen (RANDOM_PIN) refuses the default PIN: BlePairingRefusedError, then pairs with the shown one', async () => {
  const other = await mock.addRadio({ address: 'C0:FF:EE:00:00:02', name: 'Meshtastic_0bad', profile: 'meshtastic', pin: 402913 });
  try {
    await meshtasticOpener('ble:C0:FF:EE:00:00:02', { ble: { busAddress: mock.address } })();
    assert.unreachable('123456 must be refused');
  } catch (err) {
    assert.is((err as Error).name, 'BlePairingRefusedError');
    assert.is((err as { reason?: string }).reason, 'AuthenticationFailed');
  }
  const link = await meshtasticOpener('ble:C0:FF:EE:00:00:02?pin=402913', { ble: { busAddress: mock.address } })();
  await link.close();
  assert.is(await other.failedPairings(), 1);
  assert.is(await other.deviceCalls('Pair'), 2);
});

f('a radio named by its advertised name is found by scanning', async () => {
  const link = await meshtasticOpener('ble://Meshtastic_beef', { ble: { busAddress: mock.address, scanTimeoutMs: 5000 } })();
  try {
    assert.is(link.description, `ble:${ADDRESS} (meshtastic)`);
  } finally {
    await link.close();
  }
});

f.after(async () => {
  bridge?.stop();
  await sim?.stop();
  await mock?.stop();
});
f.run();
