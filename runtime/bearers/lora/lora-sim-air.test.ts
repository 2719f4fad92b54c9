// `hal: sim` end to end: two LoRa bearers (protocol lattice), built from config through the one schema and
// loraBearers, each the real SX126x driver on an emulated chip whose RF side is one `lattice sim air` over TCP,
// exchange a bundle; a config error in the sim keys is reported with every other one.
import { test } from 'uvu';
import { nativeSettings } from '../meshtastic-native/native-settings.js';
import { airPositionOf } from './geo-position.js';
import * as assert from 'uvu/assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirServer } from '../../../drivers/sx126x/sim/air-server.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { BROADCAST, type Bearer, type InFrame } from '../../bearer/bearer.js';
import { encodeBundle } from '../../bundle/bundle-codec.js';
import { createBundle } from '../../bundle/create-bundle.js';
import { defaultComponents } from '../../components/components.js';
import { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/parse-config.js';
import { generateIdentity } from '../../identity/identity.js';
import { setLogSink } from '../../log/logger.js';
import { createMetrics } from '../../metrics/metrics.js';
import { encodeFrame } from '../../wire/frame-codec.js';
import type { LoraBearer } from './lora-bearer.js';
import { loraBearers } from './lora-from-config.js';

setLogSink(() => undefined, 'silent');

test('two relays with hal: sim on one `lattice sim air` exchange a bundle', async () => {
  const server = await startAirServer({ host: '127.0.0.1', port: 0 });
  const dirs = [await mkdtemp(join(tmpdir(), 'sim-air-a-')), await mkdtemp(join(tmpdir(), 'sim-air-b-'))];
  const ids = [generateIdentity(), generateIdentity()];
  const bearers: Bearer[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  try {
    for (const [i, name] of ['roof', 'garden'].entries()) {
      // ShortFast (SF7/250 kHz): frames of tens of milliseconds. 700 m apart: always in range.
      const config = parseConfig({ lora: [{ name, preset: 'ShortFast', region: 'EU_868', hal: 'sim', air: `127.0.0.1:${server.port}`, position: [i * 700, 0] }] });
      assert.equal(config.lora[0]!.air, { host: '127.0.0.1', port: server.port });
      assert.equal(config.lora[0]!.position, [i * 700, 0]);
      const built = await loraBearers(config.lora, { identity: ids[i]!, dataDir: dirs[i]!, bearerNames: [name] });
      cleanups.push(...(built.cleanups ?? []));
      bearers.push(built.bearers[0]!(defaultComponents({ metrics: createMetrics({ defaultMetrics: false }) })));
    }
    const [a, b] = bearers as [Bearer, Bearer];
    const atB: InFrame[] = [];
    b.on('frame', (f) => {
      atB.push(f);
      f.settle?.('stored');
    });
    await Promise.all(bearers.map((x) => x.start()));
    await waitFor('both antennas on the air', () => server.stats().antennas === 2, 10_000);
    // Adverts in turn (each after the other's TxDone), as lora-neighbourhood.ts does, until each knows the other: a
    // round can meet an advert a bearer sends by itself at start (then both are lost, or neither hears the other).
    const knows = () => a.canReach(ids[1]!.nodeIdHex) && b.canReach(ids[0]!.nodeIdHex);
    await waitFor('neighbours', async () => {
      if (knows()) return true;
      for (const x of [a, b] as LoraBearer[]) await x.advertise();
      return knows();
    }, 15_000, 10);
    const bytes = encodeFrame({ kind: 'bundle', payload: encodeBundle(createBundle(ids[0]!, { recipient: null, text: 'over the simulated air' })) });
    // Should the air lose a frame to a collision (with an advert answering a new neighbour), it is sent again, as the
    // router's custody would.
    await waitFor('B got the bundle', async () => {
      if (atB.length > 0) return true;
      await a.send({ peer: BROADCAST, kind: 'bundle', bytes });
      return atB.length > 0;
    }, 10_000, 50);
    const got = atB[0]!;
    assert.equal(Buffer.from(got.bytes), Buffer.from(bytes));
    assert.is(got.from, ids[0]!.nodeIdHex);
    assert.ok(typeof got.rssi === 'number' && got.rssi < -80, `rssi ${got.rssi}`);
    assert.ok(server.stats().deliveries >= 1);
  } finally {
    for (const x of bearers) await x.stop().catch(() => undefined);
    for (const c of cleanups) await c();
    await server.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
});

test('config: hal sim needs air; air and position only with hal sim; position is [x, y]; all reported at once', () => {
  const err = (() => {
    try {
      parseConfig({
        lora: [
          { name: 'a', hal: 'sim', position: [1, 2] },
          { name: 'b', hal: 'spi', air: '127.0.0.1:4680', position: [0, 0] },
          { name: 'c', hal: 'sim', air: '127.0.0.1:4680', position: [5] },
          { name: 'd', hal: 'sim', air: 'nohost', position: [0, 0, 0] },
        ],
      });
    } catch (e) {
      return e as ConfigError;
    }
    return undefined;
  })();
  assert.ok(err instanceof ConfigError);
  const paths = err.issues.map((i) => i.path);
  for (const p of ['lora[0].air', 'lora[1].air', 'lora[1].position', 'lora[2].position', 'lora[3].air', 'lora[3].position']) assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
});

test('config: position { lat, lon, alt } is one key for a place on Earth: a native node\'s fixed position, with hal sim also its place on the air', () => {
  const ok = parseConfig({
    lora: [
      { name: 'roof', protocol: 'meshtastic', preset: 'LongFast', region: 'EU_868', hal: 'spi', position: { lat: 52.37, lon: 4.89, alt: 14 } },
      { name: 'hill', protocol: 'meshtastic', preset: 'LongFast', region: 'EU_868', hal: 'sim', air: '127.0.0.1:4680', position: { lat: 52.37, lon: 4.89 }, meshtastic: { role: 'CLIENT', channels: [{ psk: 'AQ==' }], api: false } },
    ],
  });
  assert.equal(ok.lora[0]!.position, { lat: 52.37, lon: 4.89, alt: 14 });
  assert.equal(nativeSettings(ok.lora[0]!).fixedPosition, { latitudeI: 523_700_000, longitudeI: 48_900_000, altitude: 14 });
  // On the air: metres north of the equator, metres east along the parallel.
  const xy = airPositionOf(ok.lora[1]!.position);
  assert.ok(Math.abs(xy.y - 52.37 * 111_320) < 1 && Math.abs(xy.x - 4.89 * 111_320 * Math.cos((52.37 * Math.PI) / 180)) < 1);
  const err = (() => {
    try {
      parseConfig({
        lora: [
          { name: 'a', hal: 'spi', position: { lat: 52, lon: 4 } },
          { name: 'b', protocol: 'meshtastic', preset: 'LongFast', region: 'EU_868', hal: 'spi', position: { lat: 95, lon: 4 } },
          { name: 'c', protocol: 'meshtastic', preset: 'LongFast', region: 'EU_868', hal: 'spi', position: { lon: 4 } },
          { name: 'd', protocol: 'meshtastic', preset: 'LongFast', region: 'EU_868', hal: 'spi', position: [1, 2] },
        ],
      });
    } catch (e) {
      return e as ConfigError;
    }
    return undefined;
  })();
  assert.ok(err instanceof ConfigError);
  const paths = err.issues.map((i) => i.path);
  for (const p of ['lora[0].position', 'lora[1].position.lat', 'lora[2].position.lat', 'lora[3].position']) assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
  assert.match(err.message, /\[x, y\] \(metres on the simulated air\) is only used with hal: sim/);
});

test.run();
