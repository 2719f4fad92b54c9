/**
 * The Meshtastic MQTT gateway on a companion radio (issue 17 "for companion radios that forward to us"), against the
 * simulated firmware over TCP and a real mosquitto: what the radio hands the phone API is decoded, so the gateway
 * uplinks it only as a decrypted envelope and only with `decryptedUplink: true` (refused in the config, and at start,
 * without); a downlinked decoded envelope goes out through the radio's send path (re-sent by the radio, one hop used).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh, Mqtt, Portnums } from '@meshtastic/protobufs';
import { connect } from 'mqtt';
import { startMeshtasticSim } from '../../../../firmware-protocol/meshtastic/sim/start-meshtastic-sim.js';
import { systemClock } from '../../../../lib/clock/clock.js';
import { waitFor } from '../../../../lib/testing/wait-for.js';
import type { Bearer } from '../../../bearer/bearer.js';
import { ConfigError } from '../../../config/errors.js';
import { parseConfig } from '../../../config/parse-config.js';
import { createLogger, setLogSink } from '../../../log/logger.js';
import { meshtasticOpener } from '../../meshtastic/device-opener.js';
import { MeshtasticBearer } from '../../meshtastic/meshtastic-bearer.js';
import { MqttGatewayRadioError } from '../errors.js';
import { LinkMetrics } from '../link-metrics.js';
import { startMosquitto } from '../testing/mosquitto.js';
import { MeshtasticGateway, type MeshtasticGatewayOptions } from './meshtastic-gateway.js';

setLogSink(() => undefined, 'silent');

const SELF = 0x5eed0101;
const BOB = 0x22222222; // "Bob Handheld" in the simulator's default mesh, on channel 0

test('config: a gateway on a companion radio needs decryptedUplink: true, and says why', () => {
  const cfg = (decryptedUplink?: boolean) => ({
    meshtastic: [{ name: 'handheld', device: '127.0.0.1:4403' }],
    mqtt: [{ role: 'meshtastic', radio: 'handheld', url: 'mqtt://127.0.0.1:1883', uplink: true, ...(decryptedUplink !== undefined ? { decryptedUplink } : {}) }],
  });
  let err: unknown;
  try {
    parseConfig(cfg());
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ConfigError);
  const issue = (err as ConfigError).issues.find((i) => i.path === 'mqtt[0].decryptedUplink');
  assert.ok(issue, (err as ConfigError).message);
  assert.match(issue!.message, /companion radio: its phone API hands us packets it already decrypted/);
  assert.is(parseConfig(cfg(true)).mqtt[0]!.radio, 'handheld');
});

test('companion radio: decoded packets uplinked as decrypted envelopes; downlink through the radio\'s send path; refused at start without decryptedUplink', async () => {
  const sim = await startMeshtasticSim({ tcpPort: 0, nodeNum: SELF, longName: 'Handheld', seed: 3 });
  const broker = await startMosquitto();
  const device = `127.0.0.1:${sim.tcpPort}`;
  const radio = new MeshtasticBearer({ name: 'handheld', device, transport: 'tcp', opener: meshtasticOpener(device), session: { handshakeTimeoutMs: 10_000 }, backoffMs: { initial: 50, max: 200 } });
  const seen: Array<{ topic: string; envelope: Mqtt.ServiceEnvelope }> = [];
  const sub = connect(broker.url, { reconnectPeriod: 0 });
  const gw = (o: Partial<MeshtasticGatewayOptions>) => new MeshtasticGateway({
    name: 'mqtt1', radio: 'handheld', lookup: (n) => (n === 'handheld' ? (radio as unknown as Bearer) : undefined), url: broker.url, root: 'msh/test',
    uplink: true, downlink: true, decryptedUplink: true, channels: [], mapReports: { enabled: false, intervalS: 3600, precisionBits: 14 },
    link: {}, clock: systemClock, log: createLogger('t'), metrics: new LinkMetrics('mqtt1'), ...o,
  });
  const refused = gw({ decryptedUplink: false });
  const g = gw({});
  try {
    sub.on('message', (t, p) => seen.push({ topic: t, envelope: fromBinary(Mqtt.ServiceEnvelopeSchema, new Uint8Array(p)) }));
    await new Promise<void>((resolve, reject) => sub.once('connect', () => sub.subscribe('msh/#', { qos: 1 }, (e) => (e ? reject(e) : resolve()))).once('error', reject));
    try {
      await refused.start();
      assert.unreachable('a companion radio without decryptedUplink must be refused');
    } catch (e) {
      assert.instance(e, MqttGatewayRadioError);
      assert.match((e as Error).message, /set decryptedUplink: true/);
    }
    // The gateway starts first (the daemon's order) and opens its broker session once the radio's handshake is done.
    await g.start();
    await radio.start();
    await waitFor('the gateway connected', () => (g.status().detail as { connected?: boolean }).connected === true);
    assert.is((g.status().detail as { gatewayId: string }).gatewayId, '!5eed0101');
    sim.device.injectText({ from: BOB, channel: 0, text: 'hello from the handheld mesh' });
    const up = await waitFor('the text on the broker', () => seen.find((s) => s.envelope.packet?.from === BOB));
    assert.is(up.topic, 'msh/test/2/e/LongFast/!5eed0101');
    const p = up.envelope.packet!;
    assert.ok(p.payloadVariant.case === 'decoded', 'a decrypted envelope');
    assert.is(new TextDecoder().decode(p.payloadVariant.value.payload), 'hello from the handheld mesh');
    // Downlink: another gateway's decoded envelope goes out through the radio (sent by it, one hop used).
    const data = create(Mesh.DataSchema, { portnum: Portnums.PortNum.TEXT_MESSAGE_APP, payload: new TextEncoder().encode('from the internet'), bitfield: 1 });
    const packet = create(Mesh.MeshPacketSchema, { from: 0x11223344, to: 0xffffffff, id: 0x5150aa02, channel: 0, hopLimit: 3, hopStart: 3, payloadVariant: { case: 'decoded', value: data } });
    sub.publish('msh/test/2/e/LongFast/!deadbeef', Buffer.from(toBinary(Mqtt.ServiceEnvelopeSchema, create(Mqtt.ServiceEnvelopeSchema, { packet, channelId: 'LongFast', gatewayId: '!deadbeef' }))), { qos: 1 });
    await waitFor('the mesh hears the downlinked text', () => sim.device.mesh.received.some((r) => r.text === 'from the internet' && r.from === SELF));
    assert.ok(((g.status().detail as { counters: Record<string, number> }).counters.downlinked ?? 0) >= 1);
  } finally {
    sub.end(true);
    await g.stop();
    await radio.stop();
    await broker.stop();
    await sim.stop();
  }
});

test.run();
