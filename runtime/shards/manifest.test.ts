import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { Encoder } from 'cbor-x';
import { chunkCount, decodeManifest, encodeManifest, manifestId, placedPeerOf, type Manifest } from './manifest.js';

function sample(size: number): Manifest {
  const m = { k: 3, m: 2, payload: 4064, size };
  const n = chunkCount(m);
  const placement = new Uint8Array(n * 5 * 2);
  for (let i = 0; i < n * 5; i++) placement[2 * i + 1] = i % 3;
  return {
    v: 1, name: 'photo.jpg', ...m, createdAt: 1_700_000_000_000, expiresAt: 1_702_592_000_000, origin: 'a'.repeat(64),
    chunkHashes: randomBytes(n * 32), shardHashes: randomBytes(n * 5 * 32), peers: ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)], placement,
  };
}

test('encode/decode round trip; id is SHA-256 of the bytes and stable', () => {
  for (const size of [0, 1, 12192, 12193, 1_000_000]) {
    const m = sample(size);
    const bytes = encodeManifest(m);
    const back = decodeManifest(bytes);
    assert.equal({ ...back, chunkHashes: [...back.chunkHashes], shardHashes: [...back.shardHashes], placement: [...back.placement] },
      { ...m, chunkHashes: [...m.chunkHashes], shardHashes: [...m.shardHashes], placement: [...m.placement] });
    assert.is(manifestId(encodeManifest(back)), manifestId(bytes));
    if (size > 0) assert.is(placedPeerOf(back, 0, 1), 'b'.repeat(64));
  }
});

test('hostile manifests are refused with ManifestDecodeError', () => {
  const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
  const good = sample(30000);
  const cases: unknown[] = [
    'not a map', [1, 2], null,
    { ...good, v: 2 }, { ...good, k: 0 }, { ...good, m: 300 }, { ...good, size: -1 }, { ...good, size: 1.5 },
    { ...good, name: 7 }, { ...good, peers: [1] }, { ...good, chunkHashes: good.chunkHashes.subarray(1) },
    { ...good, shardHashes: 'x' }, { ...good, placement: new Uint8Array(good.placement.length).fill(9) },
  ];
  for (const c of cases) {
    try {
      decodeManifest(cbor.encode(c));
      assert.unreachable(JSON.stringify(c)?.slice(0, 80));
    } catch (err) {
      assert.is((err as Error).name, 'ManifestDecodeError');
    }
  }
  for (const junk of [new Uint8Array(0), Uint8Array.of(0xff), randomBytes(50)]) {
    try {
      decodeManifest(junk);
      assert.unreachable();
    } catch (err) {
      assert.is((err as Error).name, 'ManifestDecodeError');
    }
  }
});

test.run();
