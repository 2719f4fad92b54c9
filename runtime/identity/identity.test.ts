import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, loadOrCreateIdentity, nodeIdFromHex, IDENTITY_FILE } from './identity.js';
import { isShortId, shortId, base32 } from './short-id.js';
import { verifySignature } from './signature.js';

test('first start creates a 0600 key, later starts reuse it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-id-'));
  const a = await loadOrCreateIdentity(dir);
  assert.ok(a.created);
  assert.is(statSync(join(dir, IDENTITY_FILE)).mode & 0o777, 0o600);
  const b = await loadOrCreateIdentity(dir);
  assert.not.ok(b.created);
  assert.is(b.identity.nodeIdHex, a.identity.nodeIdHex);
  assert.is(b.identity.shortId, a.identity.shortId);
});

test('a corrupt key file is an IdentityFileError, not a silent new identity', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-id-'));
  writeFileSync(join(dir, IDENTITY_FILE), 'garbage');
  try {
    await loadOrCreateIdentity(dir);
    assert.unreachable('should throw');
  } catch (err) {
    assert.is((err as Error).name, 'IdentityFileError');
  }
  assert.is(readFileSync(join(dir, IDENTITY_FILE), 'utf8'), 'garbage');
});

test('short id is 12 base32 characters of a hash of the node id', () => {
  const id = generateIdentity();
  assert.ok(isShortId(id.shortId));
  assert.is(id.shortId, shortId(id.nodeId));
  assert.is.not(generateIdentity().shortId, id.shortId);
  // RFC 4648 base32 test vector: "foobar" -> MZXW6YTBOI
  assert.is(base32(Buffer.from('foobar'), 10), 'mzxw6ytboi');
});

test('signatures verify only for the right key and message', () => {
  const a = generateIdentity();
  const b = generateIdentity();
  const msg = Buffer.from('hello');
  const sig = a.sign(msg);
  assert.ok(verifySignature(a.nodeId, msg, sig));
  assert.not.ok(verifySignature(b.nodeId, msg, sig));
  assert.not.ok(verifySignature(a.nodeId, Buffer.from('hellp'), sig));
  assert.not.ok(verifySignature(a.nodeId, msg, sig.subarray(1)));
  assert.not.ok(verifySignature(new Uint8Array(32).fill(0xff), msg, sig));
});

test('X25519 shared secrets agree both ways', () => {
  const a = generateIdentity();
  const b = generateIdentity();
  assert.equal(a.sharedSecret(b.nodeId), b.sharedSecret(a.nodeId));
});

test('nodeIdFromHex', () => {
  const a = generateIdentity();
  assert.equal(nodeIdFromHex(a.nodeIdHex), a.nodeId);
  assert.is(nodeIdFromHex('zz'), undefined);
});

test.run();
