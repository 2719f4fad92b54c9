/**
 * The gateway bearer over a fake radio and a real mosquitto: nothing enabled means no connection at all; map
 * reports go out on connect and then once per interval (a ManualClock says when), and are counted, not sent, while
 * the node has no position; the subscriptions are the downlink channels and PKI, as MQTT.cpp sendSubscriptions.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromBinary } from '@bufbuild/protobuf';
import { Mqtt } from '@meshtastic/protobufs';
import { connect, type MqttClient } from 'mqtt';
import type { TapListener } from '../../../../firmware-protocol/meshtastic/mesh/gateway-tap.js';
import { ManualClock } from '../../../../lib/testing/manual-clock.js';
import { waitFor } from '../../../../lib/testing/wait-for.js';
import type { Bearer } from '../../../bearer/bearer.js';
import { createLogger, setLogSink } from '../../../log/logger.js';
import { LinkMetrics } from '../link-metrics.js';
import { startMosquitto } from '../testing/mosquitto.js';
import type { MapReportFacts, MeshtasticGatewayRadio } from './gateway-radio.js';
import { MeshtasticGateway, type MeshtasticGatewayOptions } from './meshtastic-gateway.js';

setLogSink(() => undefined, 'silent');

function fakeRadio(position?: MapReportFacts['position'], nodeNum = 0x1234abcd): MeshtasticGatewayRadio & { taps: number } {
  const r = {
    taps: 0,
    nodeNum,
    region: 'EU_868',
    channels: () => [{ index: 0, name: 'LongFast' }, { index: 1, name: 'hike' }],
    onTapped: (_l: TapListener) => {
      r.taps++;
      return () => undefined;
    },
    injectReceived: () => undefined,
    implicitAck: () => undefined,
    knowsUser: () => false,
    mapReport: (): MapReportFacts => ({ longName: 'Roof', shortName: 'ROOF', role: 0, hwModel: 37, firmwareVersion: '2.7.26', region: 3, modemPreset: 0, hasDefaultChannel: true, numOnlineLocalNodes: 2, ...(position ? { position } : {}) }),
  };
  return r;
}

function gateway(url: string, radio: MeshtasticGatewayRadio, clock: ManualClock, o: Partial<MeshtasticGatewayOptions> = {}): { gw: MeshtasticGateway; metrics: LinkMetrics } {
  const metrics = new LinkMetrics('mqtt1');
  const bearer = { name: 'mt0', meshtasticGatewayRadio: () => radio } as unknown as Bearer;
  const gw = new MeshtasticGateway({
    name: 'mqtt1', radio: 'mt0', lookup: (n) => (n === 'mt0' ? bearer : undefined), url, uplink: false, downlink: false, decryptedUplink: false,
    channels: [], mapReports: { enabled: false, intervalS: 3600, precisionBits: 14 }, link: {}, clock, log: createLogger('t'), metrics, ...o,
  });
  return { gw, metrics };
}

async function listen(url: string, topic: string): Promise<{ client: MqttClient; seen: Array<{ topic: string; payload: Buffer }> }> {
  const client = connect(url, { reconnectPeriod: 0 });
  const seen: Array<{ topic: string; payload: Buffer }> = [];
  client.on('message', (t, p) => seen.push({ topic: t, payload: p }));
  await new Promise<void>((resolve, reject) => client.once('connect', () => client.subscribe(topic, { qos: 1 }, (e) => (e ? reject(e) : resolve()))).once('error', reject));
  return { client, seen };
}

test('nothing enabled: idle, no connection, no tap', async () => {
  const radio = fakeRadio();
  const { gw } = gateway('mqtt://127.0.0.1:1', radio, new ManualClock());
  await gw.start();
  const d = gw.status().detail as { enabled: boolean; gatewayId: string; connected: boolean };
  assert.equal([d.enabled, d.connected, d.gatewayId, radio.taps], [false, false, '!1234abcd', 0]);
  await gw.stop();
});

test('map reports: on connect, then once per interval; none without a position (counted)', async () => {
  const broker = await startMosquitto();
  const sub = await listen(broker.url, 'msh/#');
  const clock = new ManualClock();
  const withPos = gateway(broker.url, fakeRadio({ latitudeI: 523_700_000, longitudeI: 48_900_000, altitude: 3 }), clock, { mapReports: { enabled: true, intervalS: 600, precisionBits: 12 } });
  // Another node: the gateway id is the MQTT client id, and one id per broker session.
  const noPos = gateway(broker.url, fakeRadio(undefined, 0x0badcafe), clock, { name: 'mqtt2', mapReports: { enabled: true, intervalS: 600, precisionBits: 12 } });
  try {
    await withPos.gw.start();
    await noPos.gw.start();
    await waitFor('the first report', () => sub.seen.length >= 1);
    const e = fromBinary(Mqtt.ServiceEnvelopeSchema, sub.seen[0]!.payload);
    assert.is(sub.seen[0]!.topic, 'msh/EU_868/2/map/');
    assert.is(e.channelId, 'LongFast');
    const p = e.packet!;
    assert.ok(p.payloadVariant.case === 'decoded');
    assert.is(fromBinary(Mqtt.MapReportSchema, p.payloadVariant.value.payload).positionPrecision, 12);
    await waitFor('the other gateway connected', () => (noPos.gw.status().detail as { connected: boolean }).connected);
    assert.is(noPos.metrics.get('dropped.map-report-no-position'), 1);
    await clock.advance(600_000);
    await waitFor('the second report', () => sub.seen.length >= 2);
    assert.is(noPos.metrics.get('dropped.map-report-no-position'), 2);
    assert.is(sub.seen.length, 2, 'one per interval, only from the node with a position');
  } finally {
    sub.client.end(true);
    await withPos.gw.stop();
    await noPos.gw.stop();
    await broker.stop();
  }
});

test('subscriptions: each downlink channel and PKI, and only with downlink on', async () => {
  const broker = await startMosquitto();
  const clock = new ManualClock();
  const { gw } = gateway(broker.url, fakeRadio(), clock, { uplink: true, channels: [{ name: 'hike', downlink: true }] });
  try {
    await gw.start();
    await waitFor('connected', () => (gw.status().detail as { connected: boolean }).connected);
    const subs = (gw as unknown as { subscriptions(): string[] }).subscriptions();
    assert.equal(subs, ['msh/EU_868/2/e/hike/+', 'msh/EU_868/2/e/PKI/+']);
    const { gw: upOnly } = gateway(broker.url, fakeRadio(undefined, 0x0c0ffee0), clock, { uplink: true, name: 'mqtt3' });
    await upOnly.start();
    assert.equal((upOnly as unknown as { subscriptions(): string[] }).subscriptions(), []);
    await upOnly.stop();
  } finally {
    await gw.stop();
    await broker.stop();
  }
});

test.run();
