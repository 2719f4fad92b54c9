/** InboxEntry.senderAuth from a stored bundle and its trace (sender-auth-view.ts): every verdict, and precedence. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { senderAuthOf, SENDER_AUTH_EVENT } from './sender-auth-view.js';
import type { TraceEvent } from '../node/relay-node.js';

const sig = (n: number) => new Uint8Array(n);
const verdicts = (...d: string[]) => () => d.map((detail, i): TraceEvent => ({ at: i, event: SENDER_AUTH_EVENT, detail }));
const none = () => [] as TraceEvent[];

test('a 64-byte signature and a compact-seal DM are verified; a foreign origin is unsigned', () => {
  assert.is(senderAuthOf({ signature: sig(64) }, none), 'verified');
  assert.is(senderAuthOf({ signature: sig(0) }, none), 'verified');
  assert.is(senderAuthOf({ signature: sig(64), origin: { id: 'mt:!a1b2c3d4', name: 'Alice' } }, none), 'unsigned');
});

test('a v2 broadcast (4-byte MAC): pending, then what the trace says; verified wins over forged, definite over undecided', () => {
  const v2 = { signature: sig(4) };
  assert.is(senderAuthOf(v2, none), 'pending');
  assert.is(senderAuthOf(v2, () => [{ at: 1, event: 'received', bearer: 'lora0' }]), 'pending', 'other trace events do not decide');
  assert.is(senderAuthOf(v2, verdicts('verified')), 'verified');
  assert.is(senderAuthOf(v2, verdicts('forged')), 'failed');
  assert.is(senderAuthOf(v2, verdicts('forged', 'verified')), 'verified', "a bad copy cannot unmake the origin's own");
  assert.is(senderAuthOf(v2, verdicts('too-late', 'forged')), 'failed');
  for (const r of ['too-late', 'no-anchor', 'expired']) assert.is(senderAuthOf(v2, verdicts(r)), 'unverifiable', r);
  assert.is(senderAuthOf(v2, verdicts('too-late', 'verified')), 'verified');
});

test.run();
