/**
 * The client session against the simulated firmware over an in-memory link (no OS): handshake order, node DB,
 * receive, send channel/DM, ACK/NAK, the 2 s text rate limit, QueueStatus flow control, duplicate ids, line faults,
 * reboot. The same session runs over a real PTY and TCP in runtime/bearers/meshtastic/meshtastic-e2e.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ByteLink } from '../framing/byte-link.js';
import { MeshtasticStreamDecoder, encodeStreamFrame } from '../framing/meshtastic-stream.js';
import type { DeliveryUpdate } from './delivery-tracker.js';
import { Mesh, Portnums, decodeFromRadio, decodeToRadio } from './messages.js';
import { MeshtasticSession, type ReceivedMessage, type SessionOptions } from './session.js';
import { memoryLink } from './sim/memory-link.js';
import { SimDevice, type SimDeviceOptions } from './sim/sim-device.js';
import { waitFor as until } from '../../lib/testing/wait-for.js';
import { VirtualClock } from '../../lib/testing/virtual-clock.js';

const ALICE = 0x11111111;
const BOB = 0x22222222;
const CAROL = 0x33333333; // offline
const DAVE = 0x44444444; // no public key

async function setup(dev: SimDeviceOptions = {}, sess: Partial<SessionOptions> = {}) {
  // Session and simulated radio share a virtual clock: rate limits, airtime, ACK delays and timeouts take no time.
  const clock = dev.clock instanceof VirtualClock ? dev.clock : new VirtualClock();
  const device = new SimDevice({ seed: 7, clock, ...dev });
  const link = memoryLink(device);
  const fromRadio: Mesh.FromRadio[] = [];
  const dec = new MeshtasticStreamDecoder();
  link.onData((c) => {
    for (const e of dec.push(c)) {
      if (e.type !== 'frame') continue;
      try {
        fromRadio.push(decodeFromRadio(e.payload));
      } catch {
        // a deliberately broken frame; the session under test has to cope with it, not this tap
      }
    }
  });
  const session = new MeshtasticSession({ link, handshakeTimeoutMs: 20_000, clock, ...sess });
  const messages: ReceivedMessage[] = [];
  const deliveries: DeliveryUpdate[] = [];
  session.on('message', (m) => messages.push(m));
  session.on('delivery', (d) => deliveries.push(d));
  return {
    clock, device, link, session, fromRadio, messages, deliveries,
    async close() {
      await session.stop();
      device.stop();
    },
  };
}

function sentPackets(link: { hostWrites: Uint8Array[] }): Mesh.MeshPacket[] {
  const dec = new MeshtasticStreamDecoder();
  const out: Mesh.MeshPacket[] = [];
  for (const w of link.hostWrites) {
    for (const e of dec.push(w)) {
      if (e.type !== 'frame') continue;
      const m = decodeToRadio(e.payload);
      if (m.payloadVariant.case === 'packet') out.push(m.payloadVariant.value);
    }
  }
  return out;
}

test('handshake follows the firmware order and fills device info and node DB', async () => {
  const t = await setup();
  try {
    const info = await t.session.start();
    const order = t.fromRadio.map((f) => f.payloadVariant.case);
    const expected = [
      'myInfo', 'deviceuiConfig', 'nodeInfo', 'metadata',
      ...Array(8).fill('channel'), ...Array(10).fill('config'), ...Array(16).fill('moduleConfig'),
      ...Array(4).fill('nodeInfo'), 'fileInfo', 'fileInfo', 'configCompleteId',
    ];
    assert.equal(order, expected);
    assert.is(info.nodeId, '!deadbeef');
    assert.is(info.firmwareVersion, '2.7.26.54e0d8d');
    assert.is(info.hopLimit, 3);
    assert.equal(info.channels, [
      { index: 0, name: 'LongFast', role: 'PRIMARY' },
      { index: 1, name: 'lattice', role: 'SECONDARY' },
    ]);
    assert.is(t.session.nodes.get(ALICE)?.longName, 'Alice Rooftop');
    assert.is(t.session.nodes.get(ALICE)?.publicKey?.length, 32);
    assert.is(t.session.nodes.get(ALICE)?.latitude, 52.52);
    assert.is(t.session.nodes.get(DAVE)?.publicKey, undefined);
    assert.is(t.session.state, 'ready');
  } finally {
    await t.close();
  }
});

test('2.8-dev handshake with region_presets (a FromRadio field the 2.7 schemas do not know) completes', async () => {
  const t = await setup({ firmware28: true, firmwareVersion: '2.8.0.7754068' });
  try {
    const info = await t.session.start();
    assert.is(info.firmwareVersion, '2.8.0.7754068');
    assert.is(t.fromRadio[4]!.payloadVariant.case, undefined, 'region_presets decodes as an unknown field');
    assert.is(t.fromRadio[5]!.payloadVariant.case, 'channel');
    assert.is(t.session.stats.decodeErrors, 0);
  } finally {
    await t.close();
  }
});

test('receives channel texts and DMs; learns keys from NodeInfo packets', async () => {
  const t = await setup();
  try {
    await t.session.start();
    const keys: number[] = [];
    t.session.on('node', (c) => c.keyLearned && keys.push(c.entry.num));
    t.device.injectText({ from: BOB, channel: 1, text: 'hello lattice' });
    t.device.injectText({ from: ALICE, to: t.device.myNodeNum, text: 'psst' });
    t.device.mesh.nodes.get(DAVE)!.publicKey = new Uint8Array(32).fill(9);
    t.device.injectNodeInfo(DAVE);
    await until('two messages and a key', () => t.messages.length === 2 && keys.length === 1);
    assert.equal([t.messages[0]!.from, t.messages[0]!.text, t.messages[0]!.channel, t.messages[0]!.direct], [BOB, 'hello lattice', 1, false]);
    assert.equal([t.messages[1]!.from, t.messages[1]!.text, t.messages[1]!.direct, t.messages[1]!.pkiEncrypted], [ALICE, 'psst', true, true]);
    assert.equal(keys, [DAVE]);
    assert.is(t.session.nodes.get(DAVE)?.publicKey?.[0], 9);
  } finally {
    await t.close();
  }
});

test('channel text: accepted, heard by the mesh, implicit ACK; hop_limit and from are explicit', async () => {
  const t = await setup();
  try {
    await t.session.start();
    const r = await t.session.sendText({ to: 'broadcast', channel: 0, text: 'hi mesh' });
    assert.is(r.how, 'queued');
    await until('implicit ack', () => t.deliveries.some((d) => d.packetId === r.id));
    assert.is(t.deliveries[0]!.state, 'implicit-ack');
    assert.ok(t.device.mesh.textsReceivedBy(BOB).includes('hi mesh'));
    const sent = sentPackets(t.link).find((p) => p.id === r.id)!;
    assert.is(sent.hopLimit, 3);
    assert.is(sent.wantAck, true);
    assert.is(sent.from, t.device.myNodeNum);
    assert.is(sent.to, 0xffffffff);
  } finally {
    await t.close();
  }
});

test('DMs: ACK from the recipient, NAK MAX_RETRANSMIT for an offline node, clear error without a key', async () => {
  const t = await setup();
  try {
    await t.session.start();
    const a = await t.session.sendText({ to: ALICE, text: 'for alice' });
    const c = await t.session.sendText({ to: CAROL, text: 'for carol' });
    await until('both delivery results', () => t.deliveries.some((d) => d.packetId === a.id && d.state === 'acked') && t.deliveries.some((d) => d.packetId === c.id && d.state === 'failed'));
    assert.is(t.deliveries.find((d) => d.packetId === c.id)!.reason, 'MAX_RETRANSMIT');
    assert.equal(t.device.mesh.textsReceivedBy(ALICE), ['for alice']);
    try {
      await t.session.sendText({ to: DAVE, text: 'for dave' });
      assert.unreachable('DM without key must fail');
    } catch (err) {
      assert.is((err as Error).name, 'MeshtasticMissingPublicKeyError');
      assert.match((err as Error).message, /!44444444/);
    }
    try {
      await t.session.sendText({ to: 'broadcast', text: 'x'.repeat(300) });
      assert.unreachable('oversize must fail');
    } catch (err) {
      assert.is((err as Error).name, 'MeshtasticPayloadTooLargeError');
    }
  } finally {
    await t.close();
  }
});

test('a packet the radio refuses (its node DB lacks the key) rejects with the firmware reason', async () => {
  const t = await setup();
  try {
    await t.session.start();
    t.device.mesh.nodes.get(BOB)!.publicKey = undefined; // the radio forgot Bob's key; our copy still has it
    await t.session.sendText({ to: BOB, text: 'for bob' }).then(
      () => assert.unreachable('must be refused'),
      (e: Error & { reason?: string }) => {
        assert.is(e.name, 'MeshtasticSendRejectedError');
        assert.is(e.reason, 'PKI_SEND_FAIL_PUBLIC_KEY');
      },
    );
    // The session is still usable afterwards.
    const ok = await t.session.sendText({ to: ALICE, text: 'for alice' });
    assert.ok(ok.id > 0);
  } finally {
    await t.close();
  }
});

test('rate limit: back-to-back texts are paced, none refused, none dropped', async () => {
  const t = await setup();
  try {
    await t.session.start();
    const texts = ['one', 'two', 'three'];
    await Promise.all(texts.map((text) => t.session.sendText({ to: 'broadcast', text })));
    assert.is(t.device.stats.rateLimited, 0);
    assert.ok(t.session.stats.rateLimitWaits >= 2);
    await until('mesh heard all', () => t.device.mesh.textsReceivedBy(BOB).length === 3);
    assert.equal(t.device.mesh.textsReceivedBy(BOB), texts);
  } finally {
    await t.close();
  }
});

test('rate limit: when the radio refuses a text (pacing too tight) it is retried, never lost or doubled', async () => {
  const t = await setup({}, { textIntervalMs: 300 });
  try {
    await t.session.start();
    const texts = ['r1', 'r2', 'r3'];
    await Promise.all(texts.map((text) => t.session.sendText({ to: 'broadcast', text })));
    assert.ok(t.device.stats.rateLimited >= 1, 'the simulated firmware refused at least one text');
    assert.is(t.session.stats.rateLimitRejected, t.device.stats.rateLimited);
    await until('mesh heard all', () => t.device.mesh.textsReceivedBy(BOB).length === 3);
    assert.equal(t.device.mesh.textsReceivedBy(BOB), texts);
  } finally {
    await t.close();
  }
});

test('a resent packet id the radio already has counts as accepted and is not sent twice', async () => {
  const t = await setup();
  try {
    await t.session.start();
    const first = await t.session.sendText({ to: 'broadcast', text: 'once', id: 0x1234abcd });
    const again = await t.session.sendText({ to: 'broadcast', text: 'once', id: 0x1234abcd });
    assert.equal([first.how, again.how], ['queued', 'duplicate']);
    assert.is(t.device.stats.duplicatesIgnored, 1);
    await until('mesh heard it', () => t.device.mesh.textsReceivedBy(BOB).length === 1);
    // Five seconds of the simulated radio's life (virtual time, exact): far more than its airtime and retry delays.
    await t.clock.sleep(5_000);
    assert.equal(t.device.mesh.textsReceivedBy(BOB), ['once']);
  } finally {
    await t.close();
  }
});

test('QueueStatus flow control: a burst larger than the radio TX queue waits instead of overflowing it', async () => {
  const t = await setup({ airtimeMs: 40 });
  try {
    await t.session.start();
    const sends = Array.from({ length: 24 }, (_, i) =>
      t.session.sendData({ to: 'broadcast', portnum: Portnums.PortNum.PRIVATE_APP, payload: Uint8Array.of(i), wantAck: false }));
    const results = await Promise.all(sends);
    assert.is(results.length, 24);
    assert.is(t.device.stats.queueFullRejects, 0);
    await until('all transmitted', () => t.device.stats.transmitted >= 24);
  } finally {
    await t.close();
  }
});

test('garbage and byte-by-byte writes on the line: handshake and traffic still work, noise is logged', async () => {
  const t = await setup();
  t.device.faults.splitWrites = true;
  t.device.faults.garbageBeforeFrames = 5;
  try {
    await t.session.start();
    t.device.injectRaw(new TextEncoder().encode('DEBUG | ??:??:?? 5 [Router] stray log line\r\n'));
    t.device.injectText({ from: BOB, text: 'through the noise' });
    await until('message', () => t.messages.length === 1);
    assert.is(t.messages[0]!.text, 'through the noise');
    assert.ok(t.session.stats.logBytes > 0);
    assert.is(t.session.stats.decodeErrors, 0);
  } finally {
    await t.close();
  }
});

test('a well-framed but undecodable FromRadio is counted and skipped, the next one still arrives', async () => {
  const t = await setup();
  try {
    await t.session.start();
    const errors: string[] = [];
    t.session.on('error', (e) => errors.push(e.name));
    t.device.injectRaw(encodeStreamFrame(Uint8Array.of(0xff, 0xff, 0xff)));
    t.device.injectText({ from: BOB, text: 'after the bad frame' });
    await until('message', () => t.messages.length === 1);
    assert.is(t.session.stats.decodeErrors, 1);
    assert.equal(errors, ['MeshtasticDecodeError']);
  } finally {
    await t.close();
  }
});

test('reboot: the rebooted frame makes the session redo the handshake', async () => {
  const t = await setup({ bootDelayMs: 50 });
  try {
    await t.session.start();
    const logs: string[] = [];
    t.session.on('log', (l) => logs.push(l));
    let rebooted = 0;
    t.session.on('rebooted', () => rebooted++);
    const ready = new Promise<void>((r) => t.session.on('ready', () => r()));
    t.device.reboot();
    await ready;
    assert.is(rebooted, 1);
    assert.is(t.session.stats.handshakes, 2);
    assert.ok(logs.some((l) => l.includes('E S H T')), 'boot banner passed on as log');
    assert.is(t.session.deviceInfo()!.rebootCount, 4);
    const r = await t.session.sendText({ to: 'broadcast', text: 'after reboot' });
    assert.ok(r.id > 0);
  } finally {
    await t.close();
  }
});

test('serial console: debug text before the first frame is passed on as log lines, silence after', async () => {
  const t = await setup();
  try {
    const logs: string[] = [];
    t.session.on('log', (l) => logs.push(l));
    const started = t.session.start();
    t.device.log('console before the API');
    await started;
    t.device.log('console after the API');
    t.device.injectText({ from: BOB, text: 'barrier' });
    await until('barrier message', () => t.messages.length === 1);
    assert.ok(logs.some((l) => l.endsWith('console before the API')));
    assert.not.ok(logs.some((l) => l.includes('console after the API')));
  } finally {
    await t.close();
  }
});

test('API idle timeout: heartbeats keep the session served; without them the firmware stops serving it', async () => {
  const clock = new VirtualClock();
  const kept = await setup({ apiIdleTimeoutMs: 400, clock }, { heartbeatMs: 100 });
  const idle = await setup({ apiIdleTimeoutMs: 400, clock }, { heartbeatMs: 60_000 });
  try {
    await kept.session.start();
    await idle.session.start();
    await clock.sleep(1200); // three idle timeouts of virtual time
    kept.device.injectText({ from: BOB, text: 'still here' });
    idle.device.injectText({ from: BOB, text: 'nobody listening' });
    await until('kept session got the text', () => kept.messages.length === 1);
    // The idle one is in STATE_SEND_NOTHING: its text waits in the radio's to-phone queue. Once nothing is left to
    // run (both radios drained what they would), it still has not arrived.
    await clock.settled();
    assert.is(idle.messages.length, 0);
  } finally {
    await kept.close();
    await idle.close();
  }
});

test('a radio that reboots under the handshake (reset on port open) is asked again and completes', async () => {
  const t = await setup({ bootDelayMs: 300 });
  try {
    t.device.reboot(); // still booting when want_config_id arrives: the firmware never sees it
    const info = await t.session.start();
    assert.is(info.rebootCount, 4);
    assert.is(t.session.state, 'ready');
  } finally {
    await t.close();
  }
});

test('disconnect in the middle of the handshake rejects start with MeshtasticLinkLostError', async () => {
  const t = await setup();
  t.device.faults.disconnectAfterHandshakeFrames = 6;
  try {
    await t.session.start();
    assert.unreachable('start must fail');
  } catch (err) {
    assert.is((err as Error).name, 'MeshtasticLinkLostError');
  } finally {
    await t.close();
  }
});

test('a radio that never answers: handshake timeout names the nonce', async () => {
  const silent: ByteLink = {
    description: 'silent',
    isOpen: true,
    write: () => Promise.resolve(),
    onData: () => () => {},
    onClose: () => () => {},
    close: () => Promise.resolve(),
  };
  const s = new MeshtasticSession({ link: silent, handshakeTimeoutMs: 200 });
  try {
    await s.start();
    assert.unreachable('must time out');
  } catch (err) {
    assert.is((err as Error).name, 'MeshtasticHandshakeTimeoutError');
    assert.match((err as Error).message, /config_complete_id \d+/);
  } finally {
    await s.stop();
  }
});

test('sending before the handshake or after stop fails with a typed error', async () => {
  const t = await setup();
  try {
    await t.session.sendText({ to: 'broadcast', text: 'early' }).then(() => assert.unreachable(), (e: Error) => assert.is(e.name, 'MeshtasticNotReadyError'));
    await t.session.start();
    const pending = t.session.sendText({ to: 'broadcast', text: 'a' });
    const second = t.session.sendText({ to: 'broadcast', text: 'b' });
    await pending;
    t.link.drop();
    await second.then(() => assert.unreachable('must reject'), (e: Error) => assert.is(e.name, 'MeshtasticLinkLostError'));
    assert.is(t.session.state, 'closed');
  } finally {
    await t.close();
  }
});

test("a listener's bug becomes the session's 'error' event; a throwing 'error' listener is a warning, not a recursion", async () => {
  const t = await setup();
  try {
    const errors: string[] = [];
    t.session.on('ready', () => {
      throw new Error('ready listener bug');
    });
    t.session.on('error', (e) => {
      errors.push(e.message);
      throw new Error('error listener bug');
    });
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    await t.session.start();
    assert.equal(errors, ['ready listener bug']);
    const w = await warned;
    assert.is(w.name, 'ListenerError');
    assert.match(w.message, /error listener bug/);
  } finally {
    await t.close();
  }
});

test.run();
