/**
 * The Meshtastic MQTT gateway end to end (issue 17 "Proof"): two native nodes on `lattice sim air` (hal: sim, the real
 * SX126x driver on the emulator), built from one parsed config with the gateway entries, a real mosquitto started by
 * the test, and what went to the broker read with an independent MQTT client, decoded with the official protobufs
 * and decrypted here with the channel key (AES-128-CTR, firmware CryptoEngine nonce), not with our cipher.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh, Mqtt, Portnums } from '@meshtastic/protobufs';
import { createCipheriv } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { startAirServer } from '../../../../drivers/sx126x/sim/air-server.js';
import { decodeOtaFrame } from '../../../../firmware-protocol/meshtastic/ota/ota-frame.js';
import { freePort } from '../../../../lib/testing/free-port.js';
import { waitFor } from '../../../../lib/testing/wait-for.js';
import type { Bearer, ForeignMessage } from '../../../bearer/bearer.js';
import { defaultComponents } from '../../../components/components.js';
import { parseConfig } from '../../../config/parse-config.js';
import { generateIdentity } from '../../../identity/identity.js';
import { setLogSink } from '../../../log/logger.js';
import { createMetrics } from '../../../metrics/metrics.js';
import { loraBearers } from '../../lora/lora-from-config.js';
import type { NativeNode } from '../../meshtastic-native/native-node.js';
import { AirSniffer } from '../../meshtastic-native/testing/air-sniffer.js';
import { mqttBearers } from '../mqtt-from-config.js';
import { startMosquitto } from '../testing/mosquitto.js';
import type { MeshtasticGateway } from './meshtastic-gateway.js';

setLogSink(() => undefined, 'silent');

/** Channels.h defaultpsk: what `AQ==` expands to. */
const DEFAULT_KEY = Buffer.from('d4f1bb3a20290759f0bcffabcf4e6901', 'hex');

/** CryptoEngine::initNonce: packet id (64-bit LE), sender (32-bit LE), zeros; AES-CTR over the Data bytes. */
function ctr(id: number, from: number, bytes: Uint8Array): Uint8Array {
  const nonce = Buffer.alloc(16);
  nonce.writeUInt32LE(id >>> 0, 0);
  nonce.writeUInt32LE(from >>> 0, 8);
  const c = createCipheriv('aes-128-ctr', DEFAULT_KEY, nonce);
  return new Uint8Array(Buffer.concat([c.update(bytes), c.final()]));
}

interface Seen {
  topic: string;
  envelope: Mqtt.ServiceEnvelope;
}

async function listen(url: string, topic: string): Promise<{ client: MqttClient; seen: Seen[] }> {
  const client = connect(url, { reconnectPeriod: 0 });
  const seen: Seen[] = [];
  client.on('message', (t, p) => seen.push({ topic: t, envelope: fromBinary(Mqtt.ServiceEnvelopeSchema, new Uint8Array(p)) }));
  await new Promise<void>((resolve, reject) => client.once('connect', () => client.subscribe(topic, { qos: 1 }, (e) => (e ? reject(e) : resolve()))).once('error', reject));
  return { client, seen };
}

async function scene(fn: (s: { a: NativeNode; b: NativeNode; bForeign: ForeignMessage[]; gw: MeshtasticGateway; down: MeshtasticGateway; sniffer: AirSniffer; broker: string; metrics: ReturnType<typeof createMetrics> }) => Promise<void>): Promise<void> {
  const air = await startAirServer({ host: '127.0.0.1', port: 0 });
  const broker = await startMosquitto();
  const deadPort = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'mqtt-gw-'));
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const radio = (name: string, position: [number, number]) => ({
      name, protocol: 'meshtastic', preset: 'ShortFast', region: 'EU_868', hal: 'sim', air: `127.0.0.1:${air.port}`, position,
      meshtastic: { role: 'CLIENT', longName: `Relay ${name}`, api: false },
    });
    const config = parseConfig({
      lora: [radio('alpha', [0, 0]), radio('bravo', [600, 0])],
      mqtt: [
        { role: 'meshtastic', radio: 'alpha', url: broker.url, uplink: true, downlink: true },
        // A second broker that is down: it queues, and the first one does not notice.
        { role: 'meshtastic', radio: 'alpha', url: `mqtt://127.0.0.1:${deadPort}`, uplink: true, name: 'mqttdown' },
      ],
    }, {}, { home: dir });
    const metrics = createMetrics({ defaultMetrics: false });
    const components = defaultComponents({ metrics });
    const built = await loraBearers(config.lora, { identity: generateIdentity(), dataDir: dir, bearerNames: ['alpha', 'bravo'] });
    cleanups.push(...(built.cleanups ?? []));
    const [a, b] = built.bearers.map((make) => make(components)) as [NativeNode, NativeNode];
    const all: Bearer[] = [a, b];
    const gws = (await mqttBearers(config.mqtt, { identity: generateIdentity(), dataDir: dir, bearerNames: [], bearer: (n) => all.find((x) => x.name === n) })).bearers.map((make) => make(components)) as MeshtasticGateway[];
    const bForeign: ForeignMessage[] = [];
    b.on('foreign', (m) => bForeign.push(m));
    // The daemon's order: the mqtt kind starts before the radios.
    for (const g of gws) {
      await g.start();
      cleanups.unshift(() => g.stop());
    }
    for (const n of [a, b]) {
      await n.start();
      cleanups.unshift(() => n.stop());
    }
    const sniffer = await AirSniffer.open(air.port, a.modulation, [300, 0]);
    cleanups.unshift(async () => sniffer.close());
    await fn({ a, b, bForeign, gw: gws[0]!, down: gws[1]!, sniffer, broker: broker.url, metrics });
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
    await broker.stop();
    await air.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

test('uplink: a packet heard on the air is on <root>/2/e/<channel>/!<gateway>, decodes with the official protobufs and decrypts with the channel key; a broker that is down queues it and the other is unaffected', async () => {
  await scene(async ({ a, b, gw, down, broker }) => {
    const sub = await listen(broker, 'msh/#');
    try {
      const gatewayId = `!${a.radio().self!.nodeNum!.toString(16).padStart(8, '0')}`;
      assert.is((gw.status().detail as { gatewayId: string }).gatewayId, gatewayId, 'the gateway id in status');
      assert.is((await b.sendText({ to: 'mt:ch:0', text: 'hello via mqtt' })).status, 'sent');
      const nodeB = b.radio().self!.nodeNum!;
      const m = await waitFor('the text on the broker', () => sub.seen.find((s) => s.envelope.packet?.from === nodeB && s.envelope.packet.payloadVariant.case === 'encrypted' && s.topic.includes('/2/e/')));
      assert.is(m.topic, `msh/EU_868/2/e/ShortFast/${gatewayId}`);
      assert.is(m.envelope.channelId, 'ShortFast');
      assert.is(m.envelope.gatewayId, gatewayId);
      const p = m.envelope.packet!;
      assert.equal([p.hopLimit, p.hopStart, p.viaMqtt], [3, 3, false], 'hop fields as received');
      const data = fromBinary(Mesh.DataSchema, ctr(p.id, p.from, p.payloadVariant.value as Uint8Array));
      assert.is(data.portnum, Portnums.PortNum.TEXT_MESSAGE_APP);
      assert.is(new TextDecoder().decode(data.payload), 'hello via mqtt');
      // The broker that is down holds it; the first one never waited for it.
      await waitFor('the dead broker queues the text', () => (down.status().detail as { queued: number }).queued >= 1);
      assert.is((down.status().detail as { connected: boolean }).connected, false);
      assert.is(down.status().state, 'down');
      assert.is((gw.status().detail as { connected: boolean }).connected, true);
    } finally {
      sub.client.end(true);
    }
  });
});

test('downlink: a ServiceEnvelope from another gateway is transmitted on the air with via_mqtt set, reaches the mesh, and is not uplinked again', async () => {
  await scene(async ({ a, bForeign, gw, sniffer, broker, metrics }) => {
    const sub = await listen(broker, 'msh/#');
    try {
      await waitFor('the gateway is connected and subscribed', () => (gw.status().detail as { connected: boolean }).connected);
      const gatewayId = (gw.status().detail as { gatewayId: string }).gatewayId;
      const from = 0x11223344;
      const id = 0x5150aa01;
      const data = toBinary(Mesh.DataSchema, create(Mesh.DataSchema, { portnum: Portnums.PortNum.TEXT_MESSAGE_APP, payload: new TextEncoder().encode('from the internet'), bitfield: 1 }));
      // Channels::generateHash: xor of the name's bytes ^ xor of the key's bytes.
      const hash = [...Buffer.from('ShortFast'), ...DEFAULT_KEY].reduce((x, y) => x ^ y, 0);
      const packet = create(Mesh.MeshPacketSchema, { from, to: 0xffffffff, id, channel: hash, hopLimit: 3, hopStart: 3, payloadVariant: { case: 'encrypted', value: ctr(id, from, data) } });
      const envelope = toBinary(Mqtt.ServiceEnvelopeSchema, create(Mqtt.ServiceEnvelopeSchema, { packet, channelId: 'ShortFast', gatewayId: '!deadbeef' }));
      const pub = connect(broker, { reconnectPeriod: 0 });
      await new Promise<void>((resolve, reject) => pub.once('connect', () => pub.publish('msh/EU_868/2/e/ShortFast/!deadbeef', Buffer.from(envelope), { qos: 1 }, (e) => (e ? reject(e) : resolve()))));
      pub.end(true);
      const onAir = await waitFor('the downlinked packet on the air', () => sniffer.frames.map((f) => decodeOtaFrame(f.bytes)).find((f) => f.from === from && f.id === id));
      assert.ok(onAir.viaMqtt, 'via_mqtt set in the header');
      assert.equal([onAir.hopLimit, onAir.hopStart], [2, 3], 'handled as received: one hop used by the rebroadcast');
      assert.is(onAir.relayNode, a.radio().self!.nodeNum! & 0xff, 'sent by the gateway node');
      await waitFor('the other node delivers it', () => bForeign.some((m) => m.text === 'from the internet'));
      // The tap saw it and refused it (via_mqtt): the positive event that proves it was not uplinked again.
      await waitFor('the uplink refused it', () => (gw.status().detail as { counters: Record<string, number> }).counters['dropped.uplink-via-mqtt']! >= 1);
      assert.not.ok(sub.seen.some((s) => s.envelope.gatewayId === gatewayId && s.envelope.packet?.id === id), 'no loop back to the broker');
      assert.match(await metrics.render(), /lattice_mqtt_dropped_total\{reason="uplink-via-mqtt"\} [1-9]/);
      assert.ok((gw.status().detail as { counters: Record<string, number> }).counters.downlinked! >= 1);
    } finally {
      sub.client.end(true);
    }
  });
});

test.run();
