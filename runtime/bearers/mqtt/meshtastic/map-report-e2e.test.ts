/**
 * Map reports of a native node with a fixed position (issue 17 "Map reports on /2/map/ with position precision as
 * configured"): `lora[].position: { lat, lon, alt }` is the node's fixed position (config.position.fixed_position +
 * its own NodeDB position, as AdminModule set_fixed_position leaves them), so the gateway's report goes out on
 * connect, blurred to `precisionBits` (MQTT.cpp perhapsReportToMap), read here with an independent MQTT client and
 * the official protobufs. Before the fixed position existed every report was counted `map-report-no-position`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromBinary } from '@bufbuild/protobuf';
import { Mqtt, Portnums } from '@meshtastic/protobufs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'mqtt';
import { startAirServer } from '../../../../drivers/sx126x/sim/air-server.js';
import { waitFor } from '../../../../lib/testing/wait-for.js';
import type { Bearer } from '../../../bearer/bearer.js';
import { defaultComponents } from '../../../components/components.js';
import { parseConfig } from '../../../config/parse-config.js';
import { generateIdentity } from '../../../identity/identity.js';
import { setLogSink } from '../../../log/logger.js';
import { createMetrics } from '../../../metrics/metrics.js';
import { loraBearers } from '../../lora/lora-from-config.js';
import type { NativeNode } from '../../meshtastic-native/native-node.js';
import { mqttBearers } from '../mqtt-from-config.js';
import { startMosquitto } from '../testing/mosquitto.js';
import { blurCoordinate } from './map-report.js';
import type { MeshtasticGateway } from './meshtastic-gateway.js';

setLogSink(() => undefined, 'silent');

test('a node with lora[].position { lat, lon, alt } sends its map report on connect, blurred to precisionBits', async () => {
  const air = await startAirServer({ host: '127.0.0.1', port: 0 });
  const broker = await startMosquitto();
  const dir = await mkdtemp(join(tmpdir(), 'mqtt-map-'));
  const cleanups: Array<() => Promise<void>> = [];
  const seen: Array<{ topic: string; envelope: Mqtt.ServiceEnvelope }> = [];
  const sub = connect(broker.url, { reconnectPeriod: 0 });
  try {
    sub.on('message', (t, p) => seen.push({ topic: t, envelope: fromBinary(Mqtt.ServiceEnvelopeSchema, new Uint8Array(p)) }));
    await new Promise<void>((resolve, reject) => sub.once('connect', () => sub.subscribe('msh/#', { qos: 1 }, (e) => (e ? reject(e) : resolve()))).once('error', reject));
    const config = parseConfig({
      lora: [{
        name: 'roof', protocol: 'meshtastic', preset: 'ShortFast', region: 'EU_868', hal: 'sim', air: `127.0.0.1:${air.port}`,
        position: { lat: 52.3702, lon: 4.8952, alt: 14 },
        meshtastic: { role: 'ROUTER', longName: 'Rooftop relay', api: false },
      }],
      mqtt: [{ role: 'meshtastic', radio: 'roof', url: broker.url, mapReports: { enabled: true, intervalS: 3600, precisionBits: 14 } }],
    }, {}, { home: dir });
    const metrics = createMetrics({ defaultMetrics: false });
    const components = defaultComponents({ metrics });
    const built = await loraBearers(config.lora, { identity: generateIdentity(), dataDir: dir, bearerNames: ['roof'] });
    cleanups.push(...(built.cleanups ?? []));
    const [node] = built.bearers.map((make) => make(components)) as [NativeNode];
    const all: Bearer[] = [node];
    const [gw] = (await mqttBearers(config.mqtt, { identity: generateIdentity(), dataDir: dir, bearerNames: [], bearer: (n) => all.find((x) => x.name === n) })).bearers.map((make) => make(components)) as [MeshtasticGateway];
    await node.start();
    cleanups.unshift(() => node.stop());
    await gw.start();
    cleanups.unshift(() => gw.stop());
    const m = await waitFor('the map report', () => seen.find((s) => s.topic === 'msh/EU_868/2/map/'));
    const p = m.envelope.packet!;
    assert.ok(p.payloadVariant.case === 'decoded' && p.payloadVariant.value.portnum === Portnums.PortNum.MAP_REPORT_APP);
    const r = fromBinary(Mqtt.MapReportSchema, p.payloadVariant.value.payload);
    assert.is(r.latitudeI, blurCoordinate(523_702_000, 14));
    assert.is(r.longitudeI, blurCoordinate(48_952_000, 14));
    assert.is(r.altitude, 14);
    assert.is(r.positionPrecision, 14);
    assert.is(r.longName, 'Rooftop relay');
    assert.is((gw.status().detail as { counters: Record<string, number> }).counters['dropped.map-report-no-position'] ?? 0, 0);
  } finally {
    sub.end(true);
    for (const c of cleanups) await c().catch(() => undefined);
    await broker.stop();
    await air.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
