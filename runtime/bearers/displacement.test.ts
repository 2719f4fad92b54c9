import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LinkClosedError } from '../../drivers/serial/errors.js';
import { LinkClosedByRemoteError, closedCleanlyByRemote } from '../links/errors.js';
import { createMetrics } from '../metrics/metrics.js';
import { DEFAULT_DISPLACEMENT_POLICY, Displacement } from './displacement.js';

function rig(random = () => 0) {
  let clock = 1_000_000;
  const logs: string[] = [];
  const metrics = createMetrics({ defaultMetrics: false });
  const counter = metrics.counter({ name: 'lattice_test_displaced_total', help: 'x', labelNames: ['bearer'] });
  const d = new Displacement({
    bearer: 'mt0', device: 'radio:4403', counter, now: () => clock, random,
    log: { warn: (m) => void logs.push(`warn ${m}`), info: (m) => void logs.push(`info ${m}`) },
  });
  return { d, logs, advance: (ms: number) => (clock += ms), count: async () => (await metrics.read('lattice_test_displaced_total'))?.find((v) => v.labels.bearer === 'mt0')?.value ?? 0 };
}

// As the Meshtastic session reports it: its own error with the link's close as the cause.
const kicked = () => new Error('link lost', { cause: new LinkClosedByRemoteError('radio:4403') });

test('the cause chain tells a clean close by the radio from a reset, a timeout or our own close', () => {
  assert.ok(closedCleanlyByRemote(new LinkClosedByRemoteError('x')));
  assert.ok(closedCleanlyByRemote(kicked()));
  assert.ok(new LinkClosedByRemoteError('x') instanceof LinkClosedError);
  for (const other of [undefined, new LinkClosedError('x'), Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), new Error('heartbeat', { cause: new Error('ETIMEDOUT') }), 'LinkClosedByRemoteError']) {
    assert.not.ok(closedCleanlyByRemote(other), String(other));
  }
});

test('default policy: 5 s doubling to 10 min, reset after a session up 60 s', () => {
  assert.equal(DEFAULT_DISPLACEMENT_POLICY, { initialMs: 5_000, maxMs: 600_000, stableMs: 60_000 });
  const { d } = rig();
  const waits: number[] = [];
  for (let i = 0; i < 10; i++) {
    d.up();
    waits.push(d.ended(kicked())!);
  }
  assert.equal(waits, [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000, 600_000]);
});

test('jitter only lengthens a wait, and never past the cap', () => {
  const { d } = rig(() => 0.999);
  d.up();
  const w = d.ended(kicked())!;
  assert.ok(w >= 5_000 && w <= 6_250, String(w));
  for (let i = 0; i < 12; i++) {
    d.up();
    assert.ok(d.ended(kicked())! <= 600_000);
  }
});

test('one warning per run, counted, in the detail; other losses are not displacements', async () => {
  const { d, logs, advance, count } = rig();
  d.up();
  assert.is(d.ended(new LinkClosedError('radio:4403')), undefined, 'a lost link');
  assert.equal(d.detail(), { total: 0, streak: 0, backingOff: false });
  d.up();
  advance(10_000);
  assert.is(d.ended(kicked()), 5_000);
  assert.equal(d.detail(), { total: 1, streak: 1, backingOff: true, lastAt: 1_010_000, retryAt: 1_015_000 });
  advance(5_000);
  assert.is(d.detail().backingOff, false);
  d.up();
  advance(2_000);
  assert.is(d.ended(kicked()), 10_000);
  assert.is(await count(), 2);
  assert.equal(logs.filter((l) => l.startsWith('warn ')).length, 1);
  assert.match(logs[0]!, /^warn displaced from the radio: .*next try in 5 s, doubling up to 10 min/);
  assert.equal(logs[1], 'info displaced from the radio again; backing off');
});

test('a session that stays up stableMs ends the run: the next displacement waits 5 s and warns again', () => {
  const { d, logs, advance } = rig();
  d.up();
  d.ended(kicked());
  d.up();
  d.ended(kicked());
  d.up();
  advance(59_999);
  assert.is(d.detail().streak, 2, 'not yet stable');
  advance(1);
  assert.is(d.detail().streak, 0);
  assert.ok(logs.includes('info radio session healthy again; displacement back-off reset'));
  assert.is(d.ended(kicked()), 5_000);
  assert.equal(logs.filter((l) => l.startsWith('warn ')).length, 2);
  assert.is(d.detail().total, 3);
});

test.run();
