/**
 * The GpioLine contract (drivers/hal/gpio-line.ts), one suite run on every implementation: the in-memory fake,
 * sysfs through onoff, and the GPIO character device (against the fake kernel in CI; a real chip under hil-tests).
 * Waits are on positive events only: a stale edge is shown not to count by an edge that comes after it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { GpioLevel, GpioLine } from '../gpio-line.js';

export interface GpioLineHarness {
  /** An input at level 0, and how to change the level on its pin from outside. */
  openInput(): Promise<{ line: GpioLine; drive(level: GpioLevel): void }>;
  /** An output opened at `initial`, and the level its pin shows. */
  openOutput(initial: GpioLevel): Promise<{ line: GpioLine; pin(): GpioLevel }>;
  /** Resources still held (fds, watches) after every line was closed; 0 when nothing leaks. */
  held(): number;
  cleanup?(): void | Promise<void>;
}

const settled = <T>(p: Promise<T>) => {
  const s = { done: false };
  p.then(() => (s.done = true), () => (s.done = true));
  return s;
};

export function runGpioLineContract(name: string, make: () => Promise<GpioLineHarness>): void {
  const t = suite(`GpioLine contract: ${name}`);
  let h: GpioLineHarness;
  t.before.each(async () => {
    h = await make();
  });
  t.after.each(async () => {
    await h.cleanup?.();
  });

  t('an input reads the level on its pin', async () => {
    const { line, drive } = await h.openInput();
    assert.is(await line.read(), 0);
    drive(1);
    assert.is(await line.read(), 1);
    await line.close();
  });

  t('waitEdge resolves on the next edge of its kind only', async () => {
    const { line, drive } = await h.openInput();
    const rising = line.waitEdge('rising');
    const r = settled(rising);
    const falling = line.waitEdge('falling');
    const both = line.waitEdge('both');
    drive(1);
    await rising;
    await both;
    drive(0);
    await falling;
    assert.ok(r.done);
    await line.close();
  });

  t('an edge before the call does not satisfy a wait made after it', async () => {
    const { line, drive } = await h.openInput();
    const first = line.waitEdge('both');
    drive(1); // a rising edge nobody asked "rising" for yet
    await first;
    const rising = line.waitEdge('rising');
    const r = settled(rising);
    const falling = line.waitEdge('falling');
    drive(0);
    await falling; // events are delivered in order: had the old rising edge counted, `rising` would be done
    assert.not.ok(r.done, 'a stale rising edge resolved a later wait');
    drive(1);
    await rising;
    await line.close();
  });

  t('abort rejects with the reason, before or during the wait, and the line keeps working', async () => {
    const { line, drive } = await h.openInput();
    const pre = new AbortController();
    pre.abort(new Error('already'));
    assert.is(((await line.waitEdge('rising', { signal: pre.signal }).catch((e: Error) => e)) as Error).message, 'already');
    const ac = new AbortController();
    const w = line.waitEdge('rising', { signal: ac.signal });
    ac.abort(new Error('stop'));
    assert.is(((await w.catch((e: Error) => e)) as Error).message, 'stop');
    const again = line.waitEdge('rising');
    drive(1);
    await again;
    await line.close();
  });

  t('an output starts at its initial level and follows writes', async () => {
    const high = await h.openOutput(1);
    assert.is(high.pin(), 1);
    assert.is(await high.line.read(), 1);
    await high.line.write(0);
    assert.is(high.pin(), 0);
    assert.is(await high.line.read(), 0);
    await high.line.close();
    const low = await h.openOutput(0);
    assert.is(low.pin(), 0);
    await low.line.write(1);
    assert.is(low.pin(), 1);
    await low.line.close();
  });

  t('close settles a pending wait and releases everything; the pin can be opened again', async () => {
    const { line } = await h.openInput();
    const w = line.waitEdge('rising');
    await line.close();
    assert.instance(await w.catch((e: unknown) => e), Error);
    assert.is(h.held(), 0);
    const again = await h.openInput();
    await again.line.close();
    assert.is(h.held(), 0);
  });

  t.run();
}
