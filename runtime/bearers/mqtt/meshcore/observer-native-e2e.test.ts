/**
 * The MeshCore observer on the relay's native MeshCore radio, end to end as a user runs it (issues 14 + 17): a relay
 * process (`lattice run --config`) whose config has a native MeshCore radio `mc0` (`protocol: meshcore`, `hal: sim`)
 * on a simulated air and `mqtt: [{ role: meshcore-observer, radio: mc0, iata: AMS }]` against a real mosquitto
 * (token login: mosquitto here takes any credentials), and a second MeshCore node on the same air that sends a flood
 * advert and a public-channel text. What reaches `meshcore/AMS/<PUBKEY>/…` is read with an independent MQTT client
 * and decoded with @michaelhart/meshcore-decoder (advert signature checked, channel text decrypted with the public
 * channel's key), not with our decoder. Needs the build (dist/).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MeshCoreDecoder, PayloadType, type AdvertPayload, type GroupTextPayload } from '@michaelhart/meshcore-decoder';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { startAirServer } from '../../../../drivers/sx126x/sim/air-server.js';
import { waitFor } from '../../../../lib/testing/wait-for.js';
import { defaultComponents } from '../../../components/components.js';
import { parseConfig } from '../../../config/parse-config.js';
import { RelayProcess } from '../../../daemon/testing/relay-process.js';
import { generateIdentity } from '../../../identity/identity.js';
import { setLogSink } from '../../../log/logger.js';
import { createMetrics } from '../../../metrics/metrics.js';
import { loraBearers } from '../../lora/lora-from-config.js';
import { mcModulation } from '../../meshcore-native/mc-preset.js';
import type { McNativeNode } from '../../meshcore-native/mc-native-node.js';
import { quietAir } from '../../meshcore-native/testing/quiet-air.js';
import { startMosquitto } from '../testing/mosquitto.js';

setLogSink(() => undefined, 'silent');

/** MeshCore's public channel secret (the firmware's PUBLIC_GROUP_PSK, base64 izOH6cXN6mrJ5e26oRXNcg==). */
const PUBLIC_CHANNEL = '8b3387e9c5cdea6ac9e5edbaa115cd72';

/** MeshCore's air format on a fast setting, as mc-processes.test.ts uses it. */
const RADIO = { protocol: 'meshcore', preset: 'EU_NARROW', freqHz: 869462500, bwHz: 125000, sf: 7, cr: 5, region: 'EU_868', hal: 'sim' } as const;

/** Longer than a repeater's largest flood delay here (5 × airtime/2 of a full frame at SF7/125 kHz) and a frame. */
const QUIET_MS = 800;

interface Seen { topic: string; json: Record<string, string> }

async function listen(url: string, topic: string): Promise<{ client: MqttClient; seen: Seen[] }> {
  const client = connect(url, { reconnectPeriod: 0 });
  const seen: Seen[] = [];
  client.on('message', (t, p) => seen.push({ topic: t, json: JSON.parse(p.toString()) as Record<string, string> }));
  await new Promise<void>((resolve, reject) => client.once('connect', () => client.subscribe(topic, { qos: 1 }, (e) => (e ? reject(e) : resolve()))).once('error', reject));
  return { client, seen };
}

interface BearerStatus { name: string; kind: string; state: string; detail: Record<string, unknown> }

test('a relay with a native MeshCore radio and a meshcore-observer entry publishes what a second node sends: decodes, advert signature valid, SNR/RSSI, origin_id, online', async () => {
  const air = await startAirServer({ host: '127.0.0.1', port: 0 });
  const broker = await startMosquitto();
  const dir = await mkdtemp(join(tmpdir(), 'mc-obs-e2e-'));
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const file = join(dir, 'lattice.yaml');
    await writeFile(file, [
      'lora:',
      '  - name: mc0',
      ...Object.entries(RADIO).map(([k, v]) => `    ${k}: ${v}`),
      `    air: 127.0.0.1:${air.port}`,
      '    position: [0, 0]',
      '    meshcore:',
      '      role: repeater',
      '      name: Observer mc0',
      '      companion: false',
      'mqtt:',
      '  - role: meshcore-observer',
      '    radio: mc0',
      `    url: ${broker.url}`,
      '    iata: AMS',
      '',
    ].join('\n'));
    const sub = await listen(broker.url, 'meshcore/#');
    cleanups.push(async () => void sub.client.end(true));
    const relay = new RelayProcess({ dataDir: join(dir, 'data'), extraArgs: ['--config', file, '--no-shards'] });
    cleanups.unshift(async () => void (await relay.stop()));
    await relay.start();
    const bearers = (await relay.get('/status')).bearers as BearerStatus[];
    const native = bearers.find((b) => b.name === 'mc0');
    assert.ok(native, `mc0 in status: ${bearers.map((b) => b.name).join(', ')}`);
    const pub = (native!.detail.publicKey as string).toUpperCase();
    const observer = bearers.find((b) => b.kind === 'mqtt' && b.detail.role === 'meshcore-observer');
    assert.ok(observer, 'the observer in status');
    assert.is(observer!.detail.observerId, pub, 'the observer speaks for the radio\'s key');

    const status = await waitFor('the online status', () => sub.seen.find((s) => s.topic === `meshcore/AMS/${pub}/status` && s.json.status === 'online'));
    assert.is(status.json.origin_id, pub);
    assert.is(status.json.origin, 'Observer mc0');
    assert.match(status.json.client_version ?? '', /^lattice\//);
    assert.is(status.json.radio, '869.4625,125,7,5', 'freq,bw,sf,cr of mc0 as configured');

    // The second node, in this process, on the same air 600 m away.
    const config = parseConfig({ lora: [{ name: 'mc1', ...RADIO, air: `127.0.0.1:${air.port}`, position: [600, 0], meshcore: { role: 'repeater', name: 'Sender mc1', companion: false } }] }, {}, { home: dir });
    const metrics = createMetrics({ defaultMetrics: false });
    const built = await loraBearers(config.lora, { identity: generateIdentity(), dataDir: join(dir, 'mc1'), bearerNames: ['mc1'] });
    cleanups.unshift(...(built.cleanups ?? []).map((c) => () => c()));
    const mc1 = built.bearers[0]!(defaultComponents({ metrics })) as McNativeNode;
    await mc1.start();
    cleanups.unshift(() => mc1.stop());
    const key1 = Buffer.from(mc1.rawPacketSource().publicKey).toString('hex').toUpperCase();

    // The simulated air has no CAD and a receiver misses a frame that starts as the one before ends: each step waits
    // for the repeater's forward of the step before to be done (runtime/bearers/meshcore-native/testing/quiet-air.ts).
    const air0 = await quietAir(air.port, mcModulation(RADIO)!, [300, 0], QUIET_MS);
    cleanups.unshift(async () => air0.close());
    const packets = () => sub.seen.filter((s) => s.topic === `meshcore/AMS/${pub}/packets`);
    mc1.stack.advertNow(true);
    const advert = await waitFor('mc1\'s advert on the broker', async () => {
      for (const p of packets()) {
        const d = await MeshCoreDecoder.decodeWithVerification(p.json.raw!);
        const a = d.payload.decoded as AdvertPayload | null;
        if (d.payloadType === PayloadType.Advert && a?.publicKey.toUpperCase() === key1) return { p, d, a };
      }
      return undefined;
    });
    assert.ok(advert.d.isValid, `decodes: ${advert.d.errors?.join(', ')}`);
    assert.is(advert.a.signatureValid, true, `advert signature: ${advert.a.signatureError}`);
    assert.is(advert.a.appData.name, 'Sender mc1');
    assert.is(advert.p.json.origin_id, pub);
    assert.is(advert.p.json.route, 'F');
    assert.is(advert.p.json.packet_type, String(PayloadType.Advert));
    assert.ok(Number.isFinite(Number(advert.p.json.SNR)), `SNR ${advert.p.json.SNR}`);
    assert.ok(Number(advert.p.json.RSSI) < 0, `RSSI ${advert.p.json.RSSI}`);

    await air0.quiet();
    assert.is((await mc1.sendText({ to: 'mc:ch:0', text: 'hello observers' })).status, 'sent');
    const keyStore = MeshCoreDecoder.createKeyStore({ channelSecrets: [PUBLIC_CHANNEL] });
    const text = await waitFor('mc1\'s channel text on the broker', () => {
      for (const p of packets()) {
        const d = MeshCoreDecoder.decode(p.json.raw!, { keyStore });
        const g = d.payload.decoded as GroupTextPayload | null;
        if (d.payloadType === PayloadType.GroupText && g?.decrypted?.message.includes('hello observers')) return { p, d, g };
      }
      return undefined;
    });
    assert.is(text.g.decrypted!.sender, 'Sender mc1');
    assert.is(text.p.json.origin_id, pub);
    assert.ok(Number.isFinite(Number(text.p.json.SNR)) && Number(text.p.json.RSSI) < 0, 'SNR and RSSI');
    assert.is(text.p.json.len, String(text.p.json.raw!.length / 2));

    const after = ((await relay.get('/status')).bearers as BearerStatus[]).find((b) => b.kind === 'mqtt')!;
    assert.is(after.state, 'up');
    assert.is(after.detail.connected, true);

    // A relay that stops says so on the status topic (the farewell; the Will if it vanished).
    await relay.stop();
    const offline = await waitFor('the offline status on stop', () => sub.seen.find((s) => s.topic === `meshcore/AMS/${pub}/status` && s.json.status === 'offline'));
    assert.is(offline.json.origin_id, pub);
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
    await broker.stop();
    await air.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
