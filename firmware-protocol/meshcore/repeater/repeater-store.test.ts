/**
 * Persistence as the firmware persists: prefs at once on a CLI change, the ACL 5 s after a login, regions only on
 * `region save` / `region default`; a restart from the same JSON file gets them back; a broken file is counted and
 * the repeater starts from the defaults. Configuration overrides and their validation.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PAYLOAD_TYPE } from '../ota/packet.js';
import { JsonFileRepeaterStore, MemoryRepeaterStore } from './repeater-store.js';
import { prefsFromJson, prefsToJson, defaultRepeaterPrefs } from './prefs.js';
import { anon, bytes, fromClient, makeRepeater, u32 } from './testing/repeater-fixture.js';

test('JSON file store: prefs, ACL and regions survive a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mc-repeater-'));
  try {
    const path = join(dir, 'sub', 'repeater.json');
    const f = makeRepeater({ store: new JsonFileRepeaterStore(path) });
    assert.is(f.repeater.command('set name Hilltop'), 'OK');
    f.repeater.command('region put de');
    f.repeater.command('region denyf *');
    anon(f, bytes(u32(1000), 'password'));
    await f.clock.advance(5000);
    const before = JSON.parse(readFileSync(path, 'utf8')) as { prefs: { repeat: { f_max: number } }; regions?: string };
    assert.is(before.prefs.repeat.f_max, 64);
    assert.is(before.regions, undefined, 'regions are not saved before `region save`');
    assert.is(f.repeater.command('region save'), 'OK');
    f.repeater.stop();

    const g = makeRepeater({ store: new JsonFileRepeaterStore(path) });
    assert.is(g.repeater.prefs.nodeName, 'Hilltop');
    assert.is(g.repeater.command('region'), '*^\n de F\n');
    const c = g.repeater.clients();
    assert.is(c.length, 1);
    assert.is(c[0].permissions, 3);
    assert.equal(c[0].sharedSecret, g.secret, 'secret recomputed on load');
    // the restored admin is known: a REQ is answered without a new login (the replay guard starts over)
    fromClient(g, PAYLOAD_TYPE.REQ, bytes(u32(5), [0x07]));
    assert.is(g.mesh.created.at(-1)?.op, 'path-return');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unreadable store is counted and the repeater starts from the firmware defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mc-repeater-'));
  try {
    const path = join(dir, 'repeater.json');
    writeFileSync(path, '{ not json');
    const logs: string[] = [];
    const f = makeRepeater({ store: new JsonFileRepeaterStore(path), log: (l) => logs.push(l) });
    assert.is(f.repeater.counters.storeErrors, 1);
    assert.is(f.repeater.prefs.nodeName, 'repeater');
    assert.ok(logs.some((l) => l.includes('RepeaterStoreError') || l.includes('parse failed')));
    assert.throws(() => new JsonFileRepeaterStore(path).load(), (e: Error) => e.name === 'RepeaterStoreError');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('prefs JSON uses the firmware key names and sanitises what it loads', () => {
  const j = prefsToJson(defaultRepeaterPrefs()) as Record<string, Record<string, unknown>>;
  assert.is(j.name as unknown, 'repeater');
  assert.is(j.radio.freq, 869.618);
  assert.is(j.repeat.f_max_adv, 8);
  const p = prefsFromJson({ name: 'x', radio: { sf: 99, af: 'fast' }, repeat: { loop: 2 } });
  assert.is(p.nodeName, 'x');
  assert.is(p.sf, 12, 'clamped as loadPrefsInt sanitises');
  assert.is(p.airtimeFactor, 1, 'ill-typed field keeps its default');
  assert.is(p.loopDetect, 2);
});

test('configuration: overrides over the store, validated with a named error; default scope', () => {
  const store = new MemoryRepeaterStore();
  const f = makeRepeater({ store, prefs: { nodeName: 'Rooftop relay', password: 'change-me' }, defaultScope: '#de' });
  assert.is(f.repeater.prefs.nodeName, 'Rooftop relay');
  assert.is(f.repeater.command('region default'), ' default scope is #de');
  assert.ok(store.saves.at(-1)?.regions, 'default scope saved with the region map');
  assert.throws(() => f.repeater.updatePrefs({ password: 'x'.repeat(16) }), (e: Error) => e.name === 'RepeaterPrefsError');
  assert.throws(() => f.repeater.updatePrefs({ nodeName: 'a:b' }), (e: Error) => e.name === 'RepeaterPrefsError');
  assert.throws(() => f.repeater.updatePrefs({ floodMax: 65 }), (e: Error) => e.name === 'RepeaterPrefsError');
  assert.is(f.repeater.prefs.password, 'change-me', 'nothing applied from a bad patch');
  f.repeater.updatePrefs({ floodMaxUnscoped: 0 });
  assert.is(f.repeater.command('get flood.max.unscoped'), '> 0');
  assert.is(f.repeater.setDefaultScope(null), null);
  assert.is(f.repeater.command('region default'), ' default scope is <null>');
  f.repeater.setUnscopedFloods(false);
  assert.is(f.repeater.command('region list denied'), '*');
  anon(f, bytes(u32(1), 'change-me'));
  assert.is(f.repeater.counters.loginsOk, 1, 'the configured admin password logs in');
});

test.run();
