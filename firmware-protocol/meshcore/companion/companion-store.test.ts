import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonFileCompanionStore } from './companion-store.js';
import { newContactInfo } from './contacts-table.js';
import { defaultPrefs } from './node-prefs.js';

test('JSON file store: round trip of prefs, contacts, channels and advert blobs; absent file = first start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mc-store-'));
  try {
    const store = new JsonFileCompanionStore(join(dir, 'sub', 'companion.json'));
    assert.is(await store.load(), undefined);
    const pk = new Uint8Array(32).fill(5);
    await store.save({
      prefs: { ...defaultPrefs(pk), nodeName: 'Roof', defaultScopeKey: new Uint8Array(16).fill(1) },
      contacts: [newContactInfo(pk, { name: 'Bob', type: 1, lastMod: 7, syncSince: 3 })],
      channels: [{ index: 0, name: 'Public', secret: new Uint8Array(16).fill(2) }],
      advertBlobs: new Map([['05'.repeat(32), Uint8Array.of(1, 2, 3)]]),
    });
    const back = (await store.load())!;
    assert.is(back.prefs.nodeName, 'Roof');
    assert.equal([...back.prefs.defaultScopeKey], new Array(16).fill(1));
    assert.is(back.contacts[0].name, 'Bob');
    assert.is(back.contacts[0].syncSince, 3);
    assert.equal([...back.advertBlobs.get('05'.repeat(32))!], [1, 2, 3]);
    assert.ok(store.usedKb() >= 1);
    await store.format();
    assert.is(await store.load(), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('JSON file store: a corrupt or foreign file is a named error, not a crash', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mc-store-'));
  try {
    const path = join(dir, 'c.json');
    const store = new JsonFileCompanionStore(path);
    for (const text of ['{not json', '{"version":2}', '{"version":1,"prefs":{}}', JSON.stringify({ version: 1, prefs: { ...JSON.parse(JSON.stringify({})) } })]) {
      await writeFile(path, text);
      try {
        await store.load();
        assert.unreachable(text);
      } catch (err) {
        assert.is((err as Error).name, 'CompanionStateFormatError', text);
      }
    }
    assert.ok((await readFile(path, 'utf8')).length > 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
