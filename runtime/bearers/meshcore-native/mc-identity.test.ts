import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, stat, chmod, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySignature } from '../../../firmware-protocol/meshcore/ota/identity.js';
import { loadOrCreateMcIdentity, MC_KEY_FILE } from './mc-identity.js';

test('created once (0600), the same key after a restart, signing as the advert key; never a reserved hash', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mc-id-'));
  try {
    const a = await loadOrCreateMcIdentity(join(dir, 'mc0'));
    assert.is(a.created, true);
    assert.is((await stat(join(dir, 'mc0', MC_KEY_FILE))).mode & 0o777, 0o600);
    const b = await loadOrCreateMcIdentity(join(dir, 'mc0'));
    assert.is(b.created, false);
    assert.equal(b.identity.publicKey, a.identity.publicKey);
    const msg = new TextEncoder().encode('advert');
    assert.ok(verifySignature(a.identity.publicKey, msg, b.identity.sign(msg)));
    assert.ok(a.identity.publicKey[0] !== 0x00 && a.identity.publicKey[0] !== 0xff);
    await chmod(join(dir, 'mc0', MC_KEY_FILE), 0o644);
    await loadOrCreateMcIdentity(join(dir, 'mc0'));
    assert.is((await stat(join(dir, 'mc0', MC_KEY_FILE))).mode & 0o777, 0o600);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a damaged key file stops the start with McIdentityError and is left as it was', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mc-id-'));
  try {
    await writeFile(join(dir, MC_KEY_FILE), 'not a key', { mode: 0o600 });
    const err = await loadOrCreateMcIdentity(dir).then(() => undefined, (e: Error) => e);
    assert.is(err?.name, 'McIdentityError');
    assert.match(err!.message, /move it away/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
