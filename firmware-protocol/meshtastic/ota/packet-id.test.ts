import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPacketIdGenerator } from './packet-id.js';

/** A scripted random source: each call returns the next value. */
function script(values: number[]): () => number {
  return () => {
    const v = values.shift();
    if (v === undefined) throw new Error('script exhausted');
    return v;
  };
}

test('low 10 bits roll on from the random start, high 22 bits are the random draw (Router.cpp generatePacketId)', () => {
  const next = createPacketIdGenerator(script([0x7ffffffe /* start: low 10 bits 0x3fe */, 0x1, 0x2, 0x3, 0x3fffff]));
  assert.is(next(), (0x3ff | (0x1 << 10)) >>> 0);
  assert.is(next(), (0x000 | (0x2 << 10)) >>> 0, 'counter wraps at 10 bits');
  assert.is(next(), (0x001 | (0x3 << 10)) >>> 0);
  assert.is(next(), (0x002 | (0x3fffff << 10)) >>> 0, 'top 22 bits all ones');
});

test('only the low 22 bits of a draw survive the << 10 (a uint32)', () => {
  const next = createPacketIdGenerator(script([0, 0xffc00001]));
  assert.is(next(), (1 | (1 << 10)) >>> 0);
});

test('never 0: a zero id (not floodable on the air) draws the random half again', () => {
  const next = createPacketIdGenerator(script([0x3ff /* counter becomes 0 */, 0, 0x400000 /* low 22 bits 0 */, 5]));
  assert.is(next(), 5 << 10);
});

test('ids from the default random source differ in their counter bits', () => {
  const next = createPacketIdGenerator();
  const a = next();
  const b = next();
  assert.is((b & 0x3ff) - (a & 0x3ff) === 1 || ((a & 0x3ff) === 0x3ff && (b & 0x3ff) === 0), true);
});

test.run();
