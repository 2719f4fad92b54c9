/**
 * The MeshCore observer against a real mosquitto, its radio a fake RawPacketSource: every frame heard is on
 * `meshcore/<IATA>/<PUBKEY>/packets` as the community brokers take it (origin_id = the key, raw hex, SNR, RSSI) and
 * decodes with @michaelhart/meshcore-decoder; the status says online; the login token verifies with the decoder's
 * verifyAuthToken, as michaelhart/meshcore-mqtt-broker checks it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MeshCoreDecoder, PayloadType, verifyAuthToken } from '@michaelhart/meshcore-decoder';
import { createHash, randomBytes } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';
import { createAdvert } from '../../../../firmware-protocol/meshcore/mesh/packet-factories.js';
import { identityFromSeed } from '../../../../firmware-protocol/meshcore/ota/identity.js';
import { encodePacket } from '../../../../firmware-protocol/meshcore/ota/packet.js';
import { systemClock } from '../../../../lib/clock/clock.js';
import { waitFor } from '../../../../lib/testing/wait-for.js';
import { createLogger, setLogSink } from '../../../log/logger.js';
import { LinkMetrics } from '../link-metrics.js';
import { startMosquitto } from '../testing/mosquitto.js';
import { brokerUsername, createAuthToken } from './auth-token.js';
import { MeshcoreObserver } from './meshcore-observer.js';
import type { RawPacket, RawPacketSource } from './raw-packet-source.js';

setLogSink(() => undefined, 'silent');

/** A radio that hears what the test says it hears. */
class FakeRawSource implements RawPacketSource {
  private readonly listeners = new Set<(p: RawPacket) => void>();
  constructor(private readonly id = identityFromSeed(randomBytes(32))) {}
  get publicKey(): Uint8Array {
    return this.id.publicKey;
  }
  name(): string {
    return 'Rooftop observer';
  }
  sign(message: Uint8Array): Uint8Array {
    return this.id.sign(message);
  }
  onRawPacket(listener: (p: RawPacket) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  radioSummary(): string {
    return '869.618,62.5,8,8';
  }
  hear(p: RawPacket): void {
    for (const l of this.listeners) l(p);
  }
}

async function listen(url: string, topic: string): Promise<{ client: MqttClient; seen: Array<{ topic: string; json: Record<string, string> }> }> {
  const client = connect(url, { reconnectPeriod: 0 });
  const seen: Array<{ topic: string; json: Record<string, string> }> = [];
  client.on('message', (t, p) => seen.push({ topic: t, json: JSON.parse(p.toString()) as Record<string, string> }));
  await new Promise<void>((resolve, reject) => client.once('connect', () => client.subscribe(topic, { qos: 1 }, (e) => (e ? reject(e) : resolve()))).once('error', reject));
  return { client, seen };
}

test('observer: packets and status in the community layout; frames decode with @michaelhart/meshcore-decoder', async () => {
  const broker = await startMosquitto();
  const sub = await listen(broker.url, 'meshcore/#');
  const source = new FakeRawSource();
  const metrics = new LinkMetrics('mqtt2');
  // mosquitto here allows anonymous logins: fixed credentials stand in for the token (checked in the next test).
  const obs = new MeshcoreObserver({ name: 'mqtt2', radio: 'mc0', lookup: () => undefined, url: broker.url, iata: 'AMS', username: 'u', link: {}, clock: systemClock, log: createLogger('t'), metrics });
  const pub = Buffer.from(source.publicKey).toString('hex').toUpperCase();
  try {
    obs.startWith(source);
    const status = await waitFor('the online status', () => sub.seen.find((s) => s.topic === `meshcore/AMS/${pub}/status`));
    assert.is(status.json.status, 'online');
    assert.is(status.json.origin_id, pub);
    assert.is(status.json.radio, '869.618,62.5,8,8');
    const peer = identityFromSeed(randomBytes(32));
    const advert = createAdvert({ identity: peer, rtcSeconds: () => 1_760_000_000, random: () => 0 }, Uint8Array.of(0x81, ...new TextEncoder().encode('peer')));
    advert.path = Uint8Array.of(0x5a, 0x3c);
    const raw = encodePacket(advert);
    source.hear({ raw, snrDb: 7.25, rssiDbm: -91.4, at: Date.now() });
    const m = await waitFor('the packet message', () => sub.seen.find((s) => s.topic === `meshcore/AMS/${pub}/packets`));
    assert.is(m.json.origin_id, pub);
    assert.is(m.json.origin, 'Rooftop observer');
    assert.is(m.json.type, 'PACKET');
    assert.is(m.json.direction, 'rx');
    assert.is(m.json.SNR, '7.25');
    assert.is(m.json.RSSI, '-91');
    assert.is(m.json.route, 'F');
    assert.is(m.json.raw, Buffer.from(raw).toString('hex').toUpperCase());
    const d = MeshCoreDecoder.decode(m.json.raw!);
    assert.ok(d.isValid, `the decoder takes it: ${d.errors?.join(', ')}`);
    assert.is(d.payloadType, PayloadType.Advert);
    assert.is(String(d.payloadType), m.json.packet_type);
    assert.is(d.pathLength, 2);
    // The firmware's packet hash (Packet::calculatePacketHash, what the serial log the observers parse prints):
    // SHA-256 of the payload type and payload, first 8 bytes; the decoder's messageHash is its own shorter digest.
    const payload = raw.subarray(raw.length - advert.payload.length);
    assert.is(m.json.hash, createHash('sha256').update(Uint8Array.of(PayloadType.Advert)).update(payload).digest().subarray(0, 8).toString('hex').toUpperCase());
    assert.is(Number(m.json.payload_len), raw.length - 4);
    assert.is(obs.status().state, 'up');
    assert.is((obs.status().detail as { observerId: string }).observerId, pub);
    await obs.stop();
    const offline = await waitFor('the offline status on stop', () => sub.seen.find((s) => s.topic === `meshcore/AMS/${pub}/status` && s.json.status === 'offline'));
    assert.is(offline.json.origin_id, pub);
  } finally {
    sub.client.end(true);
    await obs.stop();
    await broker.stop();
  }
});

test('login: username v1_<PUBKEY>, a token that @michaelhart/meshcore-decoder verifies for that key and audience', async () => {
  const source = new FakeRawSource();
  const pub = Buffer.from(source.publicKey).toString('hex').toUpperCase();
  assert.is(brokerUsername(source.publicKey), `v1_${pub}`);
  const iat = Math.floor(Date.now() / 1000);
  const token = createAuthToken(source.publicKey, (m) => source.sign(m), { aud: 'mqtt-eu-v1.letsmesh.net', iat, exp: iat + 3600 });
  const claims = await verifyAuthToken(token, pub);
  assert.ok(claims, 'verifies');
  assert.is(claims!.aud, 'mqtt-eu-v1.letsmesh.net');
  assert.is(claims!.publicKey, pub);
  const other = new FakeRawSource();
  assert.is(await verifyAuthToken(token, Buffer.from(other.publicKey).toString('hex')), null, 'not for another key');
});

test('a frame that is not a MeshCore packet is counted, not published', async () => {
  const broker = await startMosquitto();
  const source = new FakeRawSource();
  const metrics = new LinkMetrics('mqtt2');
  const obs = new MeshcoreObserver({ name: 'mqtt2', radio: 'mc0', lookup: () => undefined, url: broker.url, iata: 'test', username: 'u', link: {}, clock: systemClock, log: createLogger('t'), metrics });
  try {
    obs.startWith(source);
    source.hear({ raw: Uint8Array.of(0x05), snrDb: 1, rssiDbm: -100, at: Date.now() });
    assert.is(metrics.get('dropped.observer-bad-frame'), 1);
  } finally {
    await obs.stop();
    await broker.stop();
  }
});

test.run();
