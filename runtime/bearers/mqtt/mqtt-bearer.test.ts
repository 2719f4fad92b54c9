/**
 * MQTT bearers against a real mosquitto on loopback: frames between two relays, presence and Last Will, the
 * broker going away and coming back, and a hostile publisher that forges envelopes and presence adverts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { connectAsync } from 'mqtt';
import { BROADCAST, type InFrame, type PeerEvent } from '../../bearer/bearer.js';
import { generateIdentity, type Identity } from '../../identity/identity.js';
import { createLogger } from '../../log/logger.js';
import { createMetrics } from '../../metrics/metrics.js';
import { sealEnvelope } from './envelope.js';
import { MqttBearer } from './mqtt-bearer.js';
import { signPresence } from './presence.js';
import { startMosquitto, type Mosquitto } from './testing/mosquitto.js';
import { topics } from './topics.js';
import { waitFor } from '../../../lib/testing/wait-for.js';

const log = createLogger('mqtt-test');
const cleanup: (() => Promise<void>)[] = [];

test.after.each(async () => {
  while (cleanup.length) await cleanup.pop()!();
});


async function broker(port?: number): Promise<Mosquitto> {
  const b = await startMosquitto({ port });
  cleanup.push(() => b.stop());
  return b;
}

async function relay(url: string, options: { identity?: Identity; reconnectPeriodMs?: number; prefix?: string } = {}) {
  const b = new MqttBearer({
    identity: options.identity ?? generateIdentity(),
    url,
    prefix: options.prefix,
    reconnectPeriodMs: options.reconnectPeriodMs ?? 200,
    log,
  });
  const frames: InFrame[] = [];
  const peers: PeerEvent[] = [];
  b.on('frame', (f) => frames.push(f));
  b.on('peer', (e) => peers.push(e));
  await b.start();
  cleanup.push(() => b.stop());
  return { b, frames, peers, id: (b as unknown as { identity: Identity }).identity };
}

const reaches = (x: MqttBearer, y: { id: Identity }) => x.canReach(y.id.nodeIdHex);

test('two relays exchange direct, broadcast and large frames through the broker', async () => {
  const { url } = await broker();
  const a = await relay(url);
  const b = await relay(url);
  await waitFor('A and B see each other', () => reaches(a.b, b) && reaches(b.b, a));
  assert.ok(a.peers.some((e) => e.up && e.peer === b.id.nodeIdHex));
  assert.is(a.b.mode, 'async');
  assert.is(a.b.status().state, 'up');

  const small = new Uint8Array(randomBytes(200));
  assert.is(await a.b.send({ peer: b.id.nodeIdHex, kind: 'bundle', bytes: small }), 'accepted');
  const f = await waitFor('frame at B', () => b.frames[0]);
  assert.equal(f, { bearer: 'mqtt', from: a.id.nodeIdHex, bytes: small });

  const bc = new Uint8Array([1, 2, 3, 4]);
  assert.ok(a.b.canReach(BROADCAST));
  assert.is(await a.b.send({ peer: BROADCAST, kind: 'bloom', bytes: bc }), 'accepted');
  await waitFor('broadcast at B', () => b.frames[1]);
  assert.equal(b.frames[1]!.bytes, bc);

  const large = new Uint8Array(randomBytes(60 * 1024));
  assert.is(await b.b.send({ peer: a.id.nodeIdHex, kind: 'bundle', bytes: large }), 'accepted');
  await waitFor('large frame at A', () => a.frames.find((x) => x.bytes.length === large.length));
  assert.is(a.frames.length, 1, 'A does not receive its own broadcast');
  assert.is(a.b.metrics.get('frames_out'), 2);
  assert.is(b.b.metrics.get('frames_in'), 2);

  assert.is(await a.b.send({ peer: 'cd'.repeat(32), kind: 'bundle', bytes: small }), 'unreachable', 'no presence, no route');
});

test('presence: a clean stop and an unclean drop (Last Will) both mark the relay offline', async () => {
  const { url } = await broker();
  const a = await relay(url);
  const b = await relay(url);
  const c = await relay(url, { reconnectPeriodMs: 60_000 });
  await waitFor('A sees B and C', () => reaches(a.b, b) && reaches(a.b, c));
  await b.b.stop();
  await waitFor('B offline at A', () => a.peers.some((e) => !e.up && e.peer === b.id.nodeIdHex));
  assert.not.ok(reaches(a.b, b));
  // Cut C's TCP connection under MQTT.js: the broker sees it drop and publishes C's Will.
  (c.b as unknown as { client: { stream: { destroy(): void } } }).client.stream.destroy();
  await waitFor('C offline at A (Will)', () => a.peers.some((e) => !e.up && e.peer === c.id.nodeIdHex));
  assert.is(await a.b.send({ peer: c.id.nodeIdHex, kind: 'bundle', bytes: new Uint8Array([1]) }), 'unreachable');
  // A newcomer sees the retained adverts: B and C offline, A online.
  const d = await relay(url);
  await waitFor('D sees A', () => reaches(d.b, a));
  assert.not.ok(reaches(d.b, b));
  assert.not.ok(reaches(d.b, c));
});

test('broker down: sends are unreachable; broker back: relays reconnect and frames are delivered', async () => {
  const first = await broker();
  const a = await relay(first.url);
  const b = await relay(first.url);
  await waitFor('A and B see each other', () => reaches(a.b, b) && reaches(b.b, a));
  await first.stop();
  await waitFor('A notices', () => a.b.status().state === 'down');
  assert.not.ok(reaches(a.b, b));
  assert.is(await a.b.send({ peer: b.id.nodeIdHex, kind: 'bundle', bytes: new Uint8Array([7]) }), 'unreachable');
  assert.is(await a.b.send({ peer: BROADCAST, kind: 'bloom', bytes: new Uint8Array([7]) }), 'unreachable');
  assert.ok(a.peers.some((e) => !e.up && e.peer === b.id.nodeIdHex), 'peers go down with the broker');

  await broker(first.port);
  await waitFor('A and B see each other again', () => reaches(a.b, b) && reaches(b.b, a), 30_000);
  assert.is(await a.b.send({ peer: b.id.nodeIdHex, kind: 'bundle', bytes: new Uint8Array([8]) }), 'accepted');
  const f = await waitFor('frame at B', () => b.frames[0]);
  assert.equal(f.bytes, new Uint8Array([8]));
  assert.ok(a.b.metrics.get('connects') >= 2);
});

test('a relay started while the broker is down connects when it comes up', async () => {
  const probe = await broker();
  const port = probe.port;
  await probe.stop();
  const a = await relay(`mqtt://127.0.0.1:${port}`);
  assert.is.not(a.b.status().state, 'up');
  assert.is(await a.b.send({ peer: BROADCAST, kind: 'bloom', bytes: new Uint8Array([1]) }), 'unreachable');
  await broker(port);
  const b = await relay(`mqtt://127.0.0.1:${port}`);
  await waitFor('A and B see each other', () => reaches(a.b, b) && reaches(b.b, a), 30_000);
});

test('forged, misaddressed and replayed envelopes and presence adverts are rejected and counted', async () => {
  const { url } = await broker();
  const metrics = createMetrics({ defaultMetrics: false });
  const idA = generateIdentity();
  const a = new MqttBearer({ identity: idA, url, reconnectPeriodMs: 200, log, metrics });
  const frames: InFrame[] = [];
  a.on('frame', (f) => frames.push(f));
  await a.start();
  cleanup.push(() => a.stop());
  const b = await relay(url);
  await waitFor('A sees B', () => reaches(a, b));

  const t = topics('lattice');
  const x = generateIdentity();
  const hostile = await connectAsync(url, { clientId: 'hostile', reconnectPeriod: 0 });
  cleanup.push(() => hostile.endAsync(true));
  const pub = (topic: string, bytes: Uint8Array, retain = false) => hostile.publishAsync(topic, Buffer.from(bytes), { qos: 1, retain });
  const inbox = t.inbox(idA.nodeIdHex);

  await pub(inbox, new Uint8Array(randomBytes(300)));
  // X signs, but claims to be B.
  const forged = sealEnvelope(x, idA.nodeId, new Uint8Array([6, 6, 6]));
  forged.set(b.id.nodeId, 2);
  await pub(inbox, forged);
  // A genuine envelope from X to B, dropped into A's inbox.
  await pub(inbox, sealEnvelope(x, b.id.nodeId, new Uint8Array([5])));
  // A direct envelope on the broadcast topic.
  await pub(t.broadcast, sealEnvelope(x, idA.nodeId, new Uint8Array([4])));
  // Presence: X's advert on B's topic, and an old (replayed) presence of B.
  await pub(t.advert(b.id.nodeIdHex), signPresence(x, { seq: Date.now() + 10_000, online: false, maxFrameBytes: 1000, version: 'x' }));
  await pub(t.advert(b.id.nodeIdHex), signPresence(b.id, { seq: 1, online: false, maxFrameBytes: 1000, version: 'x' }));
  // Finally a genuine frame from X: once it arrives, everything before it (same publisher, QoS 1) was handled.
  await pub(inbox, sealEnvelope(x, idA.nodeId, new Uint8Array([1, 2, 3])));
  const f = await waitFor('the genuine frame', () => frames.find((fr) => fr.from === x.nodeIdHex));
  assert.equal(f.bytes, new Uint8Array([1, 2, 3]));
  await waitFor('the presence messages handled', () => a.metrics.get('rejected.replayed') === 1);
  assert.is(frames.length, 1);
  assert.is(a.metrics.get('rejected.malformed'), 1);
  assert.is(a.metrics.get('rejected.bad-signature'), 1);
  assert.is(a.metrics.get('rejected.wrong-recipient'), 2);
  assert.is(a.metrics.get('rejected.topic-mismatch'), 1);
  assert.ok(reaches(a, b), 'B stays online');
  // The retained forgery does not fool a newcomer either: B is still online, as its own advert says.
  await pub(t.advert(b.id.nodeIdHex), new Uint8Array(0), true);
  const text = await metrics.render();
  assert.match(text, /lattice_mqtt_rejected_total\{reason="wrong-recipient"\} 2/);
  assert.match(text, /lattice_mqtt_frames_in_total 1/);
  assert.match(text, /lattice_mqtt_connected 1/);
  assert.match(text, /lattice_mqtt_peers 1/);
  assert.match(text, /lattice_peers\{bearer="mqtt"\} 1/);
});

test('a stale retained advert of its own (a late Will) is replaced, so newcomers still see the relay online', async () => {
  const { url } = await broker();
  const a = await relay(url);
  await waitFor('A up', () => a.b.status().state === 'up');
  const hostile = await connectAsync(url, { clientId: 'late-will', reconnectPeriod: 0 });
  cleanup.push(() => hostile.endAsync(true));
  // What the broker would publish for an old session of A: A's own signature, "offline", an older sequence.
  const lateWill = signPresence(a.id, { seq: 1000, online: false, maxFrameBytes: 1000, version: 'old' });
  await hostile.publishAsync(topics('lattice').advert(a.id.nodeIdHex), Buffer.from(lateWill), { qos: 1, retain: true });
  const d = await relay(url);
  await waitFor('D sees A online', () => reaches(d.b, a));
});

test('stop() settles a publish waiting for PUBACK with AbortError; constructor does no I/O', async () => {
  const { url } = await broker();
  const a = await relay(url);
  const b = await relay(url);
  await waitFor('A sees B', () => reaches(a.b, b));
  const ac = new AbortController();
  ac.abort();
  try {
    await a.b.send({ peer: b.id.nodeIdHex, kind: 'bundle', bytes: new Uint8Array([1]) }, { signal: ac.signal });
    assert.unreachable('should reject');
  } catch (err) {
    assert.is((err as Error).name, 'AbortError');
  }
  const sending = a.b.send({ peer: b.id.nodeIdHex, kind: 'bundle', bytes: new Uint8Array(50_000) }).then((v) => v, (e: Error) => e.name);
  await a.b.stop();
  const r = await sending;
  // The PUBACK may win the race with stop(); either outcome is legal, nothing else is.
  assert.ok(r === 'accepted' || r === 'AbortError', String(r));
  assert.is(a.b.status().state, 'stopped');
  assert.not.ok(a.b.canReach(BROADCAST));

  const idle = new MqttBearer({ identity: generateIdentity(), url: 'mqtt://127.0.0.1:1' });
  assert.is(idle.status().state, 'stopped');
  assert.throws(() => new MqttBearer({ identity: generateIdentity(), url: 'http://x' }), /scheme/);
  assert.throws(() => new MqttBearer({ identity: generateIdentity(), url, prefix: 'a/#' }), /prefix/);
});

test.run();
