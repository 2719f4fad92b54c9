import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../lib/testing/virtual-clock.js';
import type { I2cBus } from './i2c-bus.js';
import { TimedI2cBus } from './timed-i2c-bus.js';

/** An inner bus whose transfers finish only when the test says so, recording what started. */
function gatedBus() {
  const started: string[] = [];
  const gates: Array<() => void> = [];
  const inner: I2cBus = {
    readWord: async (a, r) => { started.push(`r${a}:${r}`); await new Promise<void>((res) => gates.push(res)); return r; },
    writeWord: async (a, r, v) => { started.push(`w${a}:${r}=${v}`); await new Promise<void>((res) => gates.push(res)); },
    close: async () => undefined,
  };
  return { inner, started, open: () => gates.shift()?.() };
}

const outcome = (p: Promise<unknown>) => p.then((v) => ({ v }), (e: Error) => ({ e: e.name }));

test('transfers run one at a time, in order', async () => {
  const clock = new VirtualClock();
  const { inner, started, open } = gatedBus();
  const bus = new TimedI2cBus(inner, { path: 'test', clock, timeoutMs: 1000 });
  const a = bus.readWord(0x40, 1);
  const b = bus.writeWord(0x40, 2, 3);
  await Promise.resolve();
  assert.equal(started, ['r64:1']);
  open();
  assert.equal(await outcome(a), { v: 1 });
  assert.equal(started, ['r64:1', 'w64:2=3']);
  open();
  assert.equal(await outcome(b), { v: undefined });
});

test('behind a hung transfer every caller times out, and a transfer whose caller gave up is never started later', async () => {
  const clock = new VirtualClock();
  const { inner, started, open } = gatedBus();
  const bus = new TimedI2cBus(inner, { path: 'test', clock, timeoutMs: 100 });
  const hung = outcome(bus.readWord(0x40, 1));
  const queued = outcome(bus.writeWord(0x40, 5, 0x1234));
  assert.equal(await hung, { e: 'I2cTimeoutError' });
  assert.equal(await queued, { e: 'I2cTimeoutError' });
  assert.is(bus.timeouts, 2);
  const next = outcome(bus.readWord(0x40, 9));
  open(); // the hung transfer finally returns; the queue moves on to the next live transfer
  await new Promise((r) => setImmediate(r));
  open();
  assert.equal(await next, { v: 9 });
  assert.equal(started, ['r64:1', 'r64:9'], 'the abandoned write never reached the bus');
});

test('close() rejects queued transfers with I2cBusClosedError and later ones at once', async () => {
  const clock = new VirtualClock();
  const { inner } = gatedBus();
  const bus = new TimedI2cBus(inner, { path: 'test', clock, timeoutMs: 10_000 });
  void bus.readWord(0x40, 1).catch(() => undefined);
  const queued = outcome(bus.readWord(0x40, 2));
  await bus.close();
  assert.equal(await queued, { e: 'I2cBusClosedError' });
  assert.equal(await outcome(bus.readWord(0x40, 3)), { e: 'I2cBusClosedError' });
});

test.run();
