import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { Encoder } from 'cbor-x';
import { CborWriter, cborSizeHint } from './cbor-writer.js';
import { decodeRpcBody, encodeRpcFrame, RPC_HEADER_BYTES, RpcFrameDecoder } from './shard-rpc-codec.js';

const plain = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });

test('small and big values encode to the same bytes as a plain cbor-x encoder', () => {
  const w = new CborWriter();
  for (const v of [{ id: 1, req: { op: 'fetch', hash: randomBytes(32) } }, { id: 2, req: { op: 'put-manifest', bytes: randomBytes(300_000), name: 'é'.repeat(100) } }, ['a', 1, null]]) {
    assert.equal(Buffer.from(w.encode(v)), Buffer.from(plain.encode(v)));
  }
});

test('a big value gets a buffer sized for it, and the shared buffer stays small afterwards', () => {
  const w = new CborWriter();
  const big = w.encode({ bytes: randomBytes(2 * 2 ** 20) });
  assert.ok(big.buffer.byteLength < 2 * 2 ** 20 + 64 * 1024, `big value's buffer ${big.buffer.byteLength} B`);
  const small = w.encode({ shard: randomBytes(4072) });
  assert.ok(small.buffer.byteLength <= 256 * 1024, `shared buffer ${small.buffer.byteLength} B`);
});

test('a hint that is too small still encodes correctly (cbor-x grows the one-off buffer)', () => {
  const w = new CborWriter();
  // Numbers count 9 B each in the hint; a long array of small ints is fine, a map of many long keys is underestimated.
  const v = { blob: randomBytes(70_000), ...Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`key-${'x'.repeat(40)}-${i}`, i])) };
  assert.equal(Buffer.from(w.encode(v)), Buffer.from(plain.encode(v)));
});

test('frames with big bodies carry their header and decode back', () => {
  const body = { id: 9, req: { op: 'put-manifest', bytes: randomBytes(1_700_000) } };
  const f = encodeRpcFrame(body);
  assert.is(f.length, RPC_HEADER_BYTES + plain.encode(body).length);
  const d = new RpcFrameDecoder();
  const got = [...d.push(f.subarray(0, 1000)), ...d.push(f.subarray(1000))];
  assert.is(got.length, 1);
  assert.equal(Buffer.from((decodeRpcBody(got[0]!) as typeof body).req.bytes), Buffer.from(body.req.bytes));
  assert.throws(() => encodeRpcFrame(body, 1_000_000), (e: Error) => e instanceof RangeError);
});

test('size hint counts byte strings, strings and nesting', () => {
  assert.ok(cborSizeHint({ a: new Uint8Array(1000) }) >= 1000);
  assert.ok(cborSizeHint({ a: { b: ['xyz'.repeat(100)] } }) >= 300);
  assert.ok(cborSizeHint(5) > 0);
});

test.run();
