import { test } from 'uvu';
import { setLogSink } from '../../log/logger.js';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AirtimeLedger } from '../../airtime/airtime-ledger.js';
import { BROADCAST } from '../../bearer/bearer.js';
import { defaultComponents } from '../../components/components.js';
import { generateIdentity } from '../../identity/identity.js';
import { loraBearer, type LoraInit } from './create-lora-bearer.js';
import { loraInit } from './lora-from-config.js';
import { FakeLoraAir } from './testing/fake-lora-air.js';

setLogSink(() => undefined, 'silent');

const createLoraBearer = (init: LoraInit) => loraBearer(init)(defaultComponents());

test('loraBearer: needs a ledger or data dir, reports bad presets as LoraConfigError, persists airtime', async () => {
  const air = new FakeLoraAir();
  const base = { name: 'lora0', radio: air.radio(), nodeId: generateIdentity().nodeId, region: 'EU_868', preset: 'ShortFast' };
  assert.throws(() => createLoraBearer(base), (e: Error) => e.name === 'LoraConfigError');
  assert.throws(() => createLoraBearer({ ...base, preset: 'Nope', dataDir: '/nonexistent' }), (e: Error) => e.name === 'LoraConfigError');
  const dir = await mkdtemp(join(tmpdir(), 'lattice-lora-cfg-'));
  try {
    const bearer = createLoraBearer({ ...base, dataDir: dir, advertOnStart: false });
    await bearer.start();
    assert.is(await bearer.send({ peer: BROADCAST, kind: 'bloom', bytes: Uint8Array.of(0x12, 1, 2, 3) }), 'accepted');
    await bearer.stop();
    const saved = JSON.parse(await readFile(join(dir, 'airtime-lora0.json'), 'utf8'));
    assert.is(saved.records.length, 1);
    assert.is(saved.records[0][0], 'eu868-p');
    assert.is(bearer.status().detail!.subBand, 'eu868-p');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('loraInit maps a `lora:` entry (Meshtastic preset and region names)', () => {
  const air = new FakeLoraAir();
  const bearer = createLoraBearer(loraInit(
    { name: 'lora3', protocol: 'lattice', preset: 'LongFast', region: 'EU_868', hal: 'emulated', pins: {}, txPowerDbm: 20 },
    { radio: air.radio(), nodeId: generateIdentity().nodeId, ledger: new AirtimeLedger() },
  ));
  const d = bearer.status().detail!;
  assert.is(bearer.name, 'lora3');
  assert.equal([d.frequencyHz, d.spreadingFactor, d.bandwidthHz, d.codingRate, d.region], [869_525_000, 11, 250_000, '4/5', 'EU868']);
});

test.run();
