/**
 * The flush-order check on hand-written strace lines (the format traceArgv asks for): it must pass a commit that is
 * flushed before its acknowledgement and name every other order, including a flush that another thread's
 * acknowledgement interrupts (`<unfinished ...>` / `<... resumed>`).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkFlushBeforeAck } from './flush-order.js';
import { parseTrace, type WriteEvent } from './syscall-trace.js';

const x = (b: Buffer | string) => [...Buffer.from(b)].map((c) => `\\x${c.toString(16).padStart(2, '0')}`).join('');
const DATA = '/d/vault/data.mdb';
const ID = 'ab'.repeat(32);
const page = x(Buffer.concat([Buffer.alloc(100), Buffer.from(ID, 'hex'), Buffer.alloc(100)]));
const lines = {
  page: `10 pwrite64(5<${x(DATA)}>, "${page}", 232, 8192) = 232`,
  pageV: `10 writev(5<${x(DATA)}>, [{iov_base="${x('zz')}", iov_len=2}, {iov_base="${page}", iov_len=232}], 2) = 234`,
  meta: `10 pwrite64(5<${x(DATA)}>, "${x(Buffer.alloc(128))}", 128, 4136) = 128`,
  flush: `10 fdatasync(5<${x(DATA)}>) = 0 (DELAYED)`,
  flushStart: `10 fdatasync(5<${x(DATA)}> <unfinished ...>`,
  flushEnd: '10 <... fdatasync resumed>) = 0 (DELAYED)',
  otherFlush: `10 fdatasync(6<${x('/d/other/data.mdb')}>) = 0`,
  ack: `1 write(1<${x('pipe:[7]')}>, "${x(`ack ${ID}\n`)}", 69) = 69`,
};
const acknowledged = (w: WriteEvent) => [...w.bytes.toString('latin1').matchAll(/^ack ([0-9a-f]{64})$/gm)].map((m) => m[1]!);
const check = (...ls: string[]) => checkFlushBeforeAck(parseTrace(ls.join('\n')), { dataFile: DATA, acknowledged });

test('page, commit, flush, then the acknowledgement: no violation', () => {
  for (const page of [lines.page, lines.pageV]) {
    const r = check(page, lines.meta, lines.flush, lines.ack);
    assert.equal([r.acks, r.commits, r.flushes, r.violations], [1, 1, 1, []]);
  }
  assert.equal(check(lines.page, lines.meta, lines.flushStart, '1 write(17<x>, "", 0) = 0', lines.flushEnd, lines.ack).violations, []);
});

test('an acknowledgement written while the flush is pending, before it, or before the commit is named', () => {
  const cases: Array<[string[], RegExp]> = [
    [[lines.page, lines.meta, lines.flushStart, lines.ack, lines.flushEnd], /before its commit \(meta page at line 2\) was flushed \(next fdatasync entered at line 3, returned at line 5\)/],
    [[lines.page, lines.meta, lines.ack, lines.flush], /was flushed/],
    [[lines.page, lines.flush, lines.meta, lines.ack], /was flushed \(no flush after it\)/],
    [[lines.page, lines.meta, lines.otherFlush, lines.ack], /no flush after it/],
    [[lines.page, lines.ack, lines.meta, lines.flush], /before its commit \(page written at line 1, meta page at line 3\)/],
    [[lines.meta, lines.flush, lines.ack], /no write of \/d\/vault\/data\.mdb holds it/],
  ];
  for (const [ls, why] of cases) {
    const v = check(...ls).violations;
    assert.is(v.length, 1, ls.join('\n'));
    assert.match(v[0]!, why);
  }
});

test('a write cut short by strace (-s too small) is refused, not read as complete', () => {
  assert.throws(() => parseTrace(`1 write(1<${x('pipe:[7]')}>, "${x('ack')}"..., 69) = 69`), /raise maxString/);
});

test.run();
