/** The native node's key pair and node number: created once, kept across restarts, derived as firmware 2.8 does. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diffieHellman, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNativeIdentity, holdsFrameStart, loadOrCreateNativeIdentity, NATIVE_KEY_FILE, nodeNumFromPublicKey } from './native-identity.js';

test('node number = CRC-32 of the public key (firmware 2.8 NodeDB::createNewIdentity), vector', () => {
  // CRC-32/ISO-HDLC check value: crc32("123456789") = 0xCBF43926 (the catalogue's check), so the same CRC as ErriezCRC32.
  assert.is(nodeNumFromPublicKey(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.is(nodeNumFromPublicKey(new Uint8Array(32)), 0x190a55ad);
});

test('created at first start (0600), the same key and number after a restart, config nodeNum overrides', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'native-id-'));
  try {
    const a = await loadOrCreateNativeIdentity(join(dir, 'mt0'));
    assert.ok(a.created);
    assert.is(a.identity.publicKey.length, 32);
    assert.is(a.identity.privateKey.length, 32);
    assert.is(a.identity.nodeNum, nodeNumFromPublicKey(a.identity.publicKey));
    assert.ok(a.identity.derived);
    assert.is((await stat(join(dir, 'mt0', NATIVE_KEY_FILE))).mode & 0o777, 0o600);
    const b = await loadOrCreateNativeIdentity(join(dir, 'mt0'));
    assert.not.ok(b.created);
    assert.equal(b.identity.publicKey, a.identity.publicKey);
    assert.is(b.identity.nodeNum, a.identity.nodeNum);
    const c = await loadOrCreateNativeIdentity(join(dir, 'mt0'), { nodeNum: 0x1234abcd });
    assert.is(c.identity.nodeNum, 0x1234abcd);
    assert.not.ok(c.identity.derived);
    // The pair is a working X25519 pair: our private key with a peer's public key gives the peer's shared secret.
    const pem = await readFile(join(dir, 'mt0', NATIVE_KEY_FILE), 'utf8');
    const peer = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), Buffer.alloc(32, 7)]), format: 'der', type: 'pkcs8' });
    const ours = createPrivateKey(pem);
    const s1 = diffieHellman({ privateKey: ours, publicKey: createPublicKey(peer) });
    const oursPublic = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(a.identity.publicKey).toString('base64url') }, format: 'jwk' });
    const s2 = diffieHellman({ privateKey: peer, publicKey: oursPublic });
    assert.equal(s1, s2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a damaged key file stops the start with a named error instead of minting a new node', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'native-id-'));
  try {
    await writeFile(join(dir, NATIVE_KEY_FILE), 'not a key');
    try {
      await loadOrCreateNativeIdentity(dir);
      assert.unreachable('expected NativeIdentityError');
    } catch (err) {
      assert.is((err as Error).name, 'NativeIdentityError');
    }
    assert.is(await readFile(join(dir, NATIVE_KEY_FILE), 'utf8'), 'not a key');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});


test('fresh keys never hold the stream frame start 0x94 0xC3, which makes the official JS SDK drop the config frame', async () => {
  const { Utils } = await import('@meshtastic/core');
  const { encodeStreamFrame } = await import('../../../firmware-protocol/framing/meshtastic-stream.js');
  // What the SDK does with such a frame: a 6-byte payload holding 94 C3 is not delivered, the next frame is lost too.
  const frames = [Uint8Array.of(0x42, 0x04, 0x0a, 0x02, 0x94, 0xc3), Uint8Array.of(0x18, 0x01)];
  const stream = new Blob(frames.map((f) => encodeStreamFrame(f))).stream().pipeThrough(Utils.fromDeviceStream());
  const warn = console.warn;
  console.warn = () => undefined;
  const got: unknown[] = [];
  try {
    for await (const chunk of stream as unknown as AsyncIterable<{ type: string }>) if (chunk.type === 'packet') got.push(chunk);
  } finally {
    console.warn = warn;
  }
  assert.is(got.length, 0, 'the SDK dropped both frames');
  // 8000 fresh identities: about 1 random key pair in 1,000 holds the pattern (62 places, 1 in 65,536 each), so
  // 8000 clean ones are the filter's work (without it, this passes by chance 3 times in 10,000).
  for (let i = 0; i < 8000; i++) {
    const id = generateNativeIdentity();
    assert.not.ok(holdsFrameStart(id.publicKey) || holdsFrameStart(id.privateKey), `key ${i} holds 94 C3`);
  }
  assert.ok(holdsFrameStart(Uint8Array.of(1, 0x94, 0xc3)));
  assert.not.ok(holdsFrameStart(Uint8Array.of(0xc3, 0x94)));
});

test.run();
