/** The acceptor's ACK writer (ack-writer.ts): first settle wins, one ACK frame per event-loop turn (split at
 * MAX_ACK_ENTRIES), nothing written to a closed connection, and a connector that never reads is cut off. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_ACK_ENTRIES, decodeAcks, type Ack } from './ack-codec.js';
import { AckWriter, type AckSink } from './ack-writer.js';
import { StreamDecoder } from './stream-codec.js';

class Sink implements AckSink {
  readonly written: Uint8Array[] = [];
  destroyed = false;
  writableLength = 0;
  write(bytes: Uint8Array): boolean {
    this.written.push(bytes);
    return true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  acks(): Ack[][] {
    const d = new StreamDecoder(100_000);
    return this.written.flatMap((w) => d.push(w)).map((f) => {
      assert.is(f.type, 'ack');
      return decodeAcks(f.payload);
    });
  }
}

const turn = () => new Promise<void>((r) => setImmediate(r));

test('fates settled in one turn leave in one ACK frame; the first settle of a frame wins', async () => {
  const sink = new Sink();
  const sent: Ack[] = [];
  const w = new AckWriter(sink, { onSent: (a) => sent.push(...a) });
  const s1 = w.settler(1);
  const s2 = w.settler(2);
  s2('stored');
  s1('not-stored');
  s1('stored');
  assert.is(sink.written.length, 0, 'nothing inside settle()');
  await turn();
  assert.equal(sink.acks(), [[{ seq: 2, fate: 'stored' }, { seq: 1, fate: 'not-stored' }]]);
  w.settler(3)('duplicate');
  await turn();
  assert.equal(sink.acks()[1], [{ seq: 3, fate: 'duplicate' }]);
  assert.is(sent.length, 3);
});

test('a large batch is split into frames of at most MAX_ACK_ENTRIES', async () => {
  const sink = new Sink();
  const w = new AckWriter(sink);
  for (let i = 0; i < MAX_ACK_ENTRIES + 5; i++) w.settler(i)('stored');
  await turn();
  assert.equal(sink.acks().map((a) => a.length), [MAX_ACK_ENTRIES, 5]);
});

test('nothing is written to a closed connection; ACKs piling up unread close it', async () => {
  const closed = new Sink();
  closed.destroyed = true;
  new AckWriter(closed).settler(1)('stored');
  await turn();
  assert.is(closed.written.length, 0);

  const slow = new Sink();
  let backlog = 0;
  const w = new AckWriter(slow, { maxBacklogBytes: 100, onBacklog: () => backlog++ });
  w.settler(1)('stored');
  await turn();
  assert.is(slow.destroyed, false);
  slow.writableLength = 101;
  w.settler(2)('stored');
  await turn();
  assert.is(slow.destroyed, true);
  assert.is(backlog, 1);
});

test.run();
