import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeRpcBody, encodeRpcFrame, RpcFrameDecoder } from './shard-rpc-codec.js';

const bodies = [{ id: 1, req: { op: 'fetch', hash: new Uint8Array(32).fill(7) } }, { id: 2, ping: true }, { id: 3, res: { op: 'fetch', shard: new Uint8Array(4072).fill(1) } }];
const frames = bodies.map((b) => encodeRpcFrame(b));
const all = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
frames.reduce((at, f) => { all.set(f, at); return at + f.length; }, 0);

function decodeAll(chunks: Uint8Array[], d = new RpcFrameDecoder()): unknown[] {
  return chunks.flatMap((c) => d.push(c)).map(decodeRpcBody);
}

test('frames decode whole, in two pieces and byte by byte', () => {
  const norm = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, v) => (v instanceof Uint8Array ? [...v] : v)));
  assert.equal(norm(decodeAll([all])), norm(bodies));
  const mid = Math.floor(all.length / 2);
  assert.equal(norm(decodeAll([all.subarray(0, mid), all.subarray(mid)])), norm(bodies));
  assert.equal(norm(decodeAll(Array.from(all, (b) => Uint8Array.of(b)))), norm(bodies));
});

test('garbage before and between frames is skipped and counted', () => {
  const d = new RpcFrameDecoder();
  const junk = Uint8Array.from([1, 2, 3, 0x4c, 9, 0x53]);
  const got = [...d.push(junk), ...d.push(frames[1]!), ...d.push(junk), ...d.push(frames[0]!)];
  assert.is(got.length, 2);
  assert.is(d.discarded, 2 * junk.length);
});

test('an oversize length is refused and the decoder finds the next frame', () => {
  const d = new RpcFrameDecoder(100);
  const big = encodeRpcFrame({ x: new Uint8Array(200) });
  const got = [...d.push(big), ...d.push(frames[1]!)];
  assert.is(got.length, 1);
  assert.equal(decodeRpcBody(got[0]!), bodies[1]);
  assert.ok(d.discarded >= 7);
});

test.run();
