import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Bundle } from '../../bundle/bundle.js';
import { MAX_PIECES, bundleText, packetIdFor, textPieces } from './outgoing-text.js';

function bundle(text: string, origin?: Bundle['origin'], sig = 1): Bundle {
  return {
    sender: new Uint8Array(32), recipient: 'mt:ch:0', sentAt: 0, lifetime: 1000, body: new TextEncoder().encode(text),
    sealed: false, origin, hops: 0, custody: [], signature: new Uint8Array(64).fill(sig),
  };
}

test('origin name prefixes texts from another mesh; the id when there is no name', () => {
  assert.is(bundleText(bundle('hi', { id: 'mc:ab', name: 'Zed' })), 'Zed: hi');
  assert.is(bundleText(bundle('hi', { id: 'mc:ab' })), 'mc:ab: hi');
  assert.is(bundleText(bundle('hi')), 'hi');
  assert.is(bundleText(bundle('hi', { id: 'mc:ab', name: 'Zed' }), { prefixOrigin: false }), 'hi');
});

test('long texts are split to fit a packet and capped at MAX_PIECES with an ellipsis', () => {
  const long = 'word '.repeat(400);
  const dm = textPieces(long, true);
  assert.is(dm.length, MAX_PIECES);
  for (const p of dm) assert.ok(new TextEncoder().encode(p).length <= 220);
  assert.ok(dm[MAX_PIECES - 1]!.endsWith('…'));
  assert.equal(textPieces('short', false), ['short']);
});

test('packet ids are stable per bundle and piece, distinct across pieces and bundles, never 0', () => {
  const a = bundle('x', undefined, 1);
  assert.is(packetIdFor(a, 0), packetIdFor(bundle('x', undefined, 1), 0));
  assert.is.not(packetIdFor(a, 0), packetIdFor(a, 1));
  assert.is.not(packetIdFor(a, 0), packetIdFor(bundle('x', undefined, 2), 0));
  assert.ok(packetIdFor(a, 0) > 0);
});

test.run();
