/**
 * The ByteLink contract suite (framing/byte-link.ts; drivers/serial/byte-link.ts declares the same shape): what a
 * protocol session may rely on from any link. It runs on the in-memory link (framing/memory-link.test.ts), on a
 * PTY pair through the serial link and on the TCP link (runtime/links/byte-link-contract.test.ts: runtime may
 * import both layers). Each implementation hands in a factory for a fresh open link with its far end.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ByteLink } from '../byte-link.js';
import { waitFor as until } from '../../../lib/testing/wait-for.js';

/** The device side of the line, driven by the test. */
export interface FarEnd {
  /** Puts bytes on the line towards the link. */
  write(bytes: Uint8Array): void | Promise<void>;
  /** Everything the link wrote so far, concatenated. */
  received(): Uint8Array;
  /** The device goes away (unplugged, socket reset, the radio closing it). */
  drop(): void | Promise<void>;
}

export interface ByteLinkPair {
  /** The link under test, open. */
  link: ByteLink;
  far: FarEnd;
  /** Releases whatever the pair holds (the link may already be closed). */
  close(): Promise<void>;
}

interface Ctx {
  pair: ByteLinkPair;
}

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** A write must answer with a promise: rejected, never thrown synchronously at the caller. */
function writeOutcome(link: ByteLink, bytes: Uint8Array, options?: { signal?: AbortSignal }): Promise<Error | 'resolved'> {
  let p: Promise<void>;
  try {
    p = link.write(bytes, options);
  } catch (err) {
    throw new Error(`write() threw synchronously instead of rejecting: ${(err as Error).name}: ${(err as Error).message}`);
  }
  return p.then(() => 'resolved' as const, (err: Error) => err);
}

export function byteLinkSuite(name: string, open: () => Promise<ByteLinkPair>) {
  const s = suite<Ctx>(`ByteLink contract: ${name}`);

  s.before.each(async (ctx) => {
    ctx.pair = await open();
  });

  s.after.each(async (ctx) => {
    await ctx.pair.link.close();
    await ctx.pair.close();
  });

  s('an open link says so and describes itself', ({ pair }) => {
    assert.is(pair.link.isOpen, true);
    assert.type(pair.link.description, 'string');
    assert.ok(pair.link.description.length > 0);
  });

  s('bytes written arrive at the far end whole and in order', async ({ pair }) => {
    const chunks = [Uint8Array.of(0x94, 0xc3, 0x00), pattern(1, 7), pattern(65_536, 3), pattern(300, 9)];
    for (const c of chunks) assert.is(await writeOutcome(pair.link, c), 'resolved');
    const all = concat(chunks);
    await until(`${all.length} bytes at the far end`, () => pair.far.received().length >= all.length);
    assert.ok(Buffer.from(pair.far.received()).equals(Buffer.from(all)), 'the same bytes in the same order');
  });

  s('bytes from the far end reach the data listeners in order; a removed or throwing listener changes nothing for the others', async ({ pair }) => {
    const link = pair.link;
    link.onData(() => {
      throw new Error('a buggy listener');
    });
    const removed: Uint8Array[] = [];
    const off = link.onData((c) => removed.push(c));
    off();
    off();
    const got: Uint8Array[] = [];
    link.onData((c) => got.push(new Uint8Array(c)));
    const chunks = [pattern(10, 1), pattern(4096, 2), Uint8Array.of(0x3e, 0x00)];
    for (const c of chunks) await pair.far.write(c);
    const all = concat(chunks);
    await until(`${all.length} bytes from the far end`, () => got.reduce((n, c) => n + c.length, 0) >= all.length);
    assert.ok(Buffer.from(concat(got)).equals(Buffer.from(all)), 'the same bytes in the same order');
    assert.is(removed.length, 0, 'the removed listener heard nothing');
    assert.is(link.isOpen, true, 'the throwing listener did not break the link');
  });

  s('close(): not open, close listeners told once without an error, writes reject with LinkClosedError, close again is fine', async ({ pair }) => {
    const link = pair.link;
    const closes: Array<Error | undefined> = [];
    link.onClose((e) => closes.push(e));
    const removed: Array<Error | undefined> = [];
    link.onClose((e) => removed.push(e))();
    await Promise.all([link.close(), link.close()]);
    await link.close();
    assert.is(link.isOpen, false);
    assert.equal(closes, [undefined], 'told once, without an error');
    assert.is(removed.length, 0, 'a removed close listener is not told');
    const r = await writeOutcome(link, Uint8Array.of(1));
    assert.ok(r instanceof Error, 'a write after close rejects');
    assert.is((r as Error).name, 'LinkClosedError');
  });

  s('the far end going away closes the link with an error, once (noticed at the latest by the next write)', async ({ pair }) => {
    const link = pair.link;
    const closes: Array<Error | undefined> = [];
    link.onClose((e) => closes.push(e));
    await pair.far.drop();
    // An idle serial port on a PTY whose other side vanished is not always told (serialport's poller may miss the
    // hangup); its next write fails with EIO and closes it. Sessions write heartbeats, so they notice that way.
    await until('the close listener', () => {
      if (closes.length === 0 && link.isOpen) link.write(Uint8Array.of(0)).catch(() => undefined);
      return closes.length > 0;
    });
    assert.ok(closes[0] instanceof Error, 'told why');
    assert.is(link.isOpen, false);
    const r = await writeOutcome(link, Uint8Array.of(1));
    assert.ok(r instanceof Error, 'a write after the loss rejects');
    assert.is((r as Error).name, 'LinkClosedError');
    await link.close();
    assert.is(closes.length, 1, 'told once, even after close()');
  });

  s('a write whose signal is already aborted rejects with the abort reason and writes nothing', async ({ pair }) => {
    const r = await writeOutcome(pair.link, Uint8Array.of(0xaa, 0xbb), { signal: AbortSignal.abort() });
    assert.ok(r instanceof Error, 'rejected');
    assert.is((r as Error).name, 'AbortError');
    // A plain write after it arrives alone: the aborted bytes never went out.
    assert.is(await writeOutcome(pair.link, Uint8Array.of(0x01, 0x02)), 'resolved');
    await until('the plain write at the far end', () => pair.far.received().length >= 2);
    assert.equal([...pair.far.received()], [0x01, 0x02]);
  });

  return s;
}
