/**
 * A stand-in for the `onoff` package (same constructor and methods as onoff 6) over in-memory pins keyed by sysfs
 * number, and a fake /sys/class/gpio tree for the BCM→sysfs base lookup, so the sysfs backend runs in CI.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Cb = (err: Error | null | undefined, value: 0 | 1) => void;

export class FakeOnoff {
  readonly levels = new Map<number, 0 | 1>();
  readonly exported = new Map<number, { direction: string; edge?: string; watchers: Set<Cb> }>();
  private readonly self = this;

  /** The module object a loader returns for 'onoff'. */
  readonly module = { Gpio: this.gpioClass() };

  /** Test side: an external level change on pin `n` (sysfs number). */
  drive(n: number, level: 0 | 1): void {
    if (this.levels.get(n) === level) return;
    this.levels.set(n, level);
    const pin = this.exported.get(n);
    if (!pin || pin.direction !== 'in' || pin.edge === 'none') return;
    // onoff calls back from its epoll thread, i.e. later on the event loop, with the value it read.
    for (const cb of [...pin.watchers]) setImmediate(() => { if (pin.watchers.has(cb)) cb(null, this.levels.get(n) ?? 0); });
  }

  watchers(): number {
    let n = 0;
    for (const p of this.exported.values()) n += p.watchers.size;
    return n;
  }

  private gpioClass() {
    const fake = this.self;
    return class Gpio {
      constructor(readonly n: number, direction: string, edge?: string) {
        if (fake.exported.has(n)) throw Object.assign(new Error(`EBUSY: resource busy or locked, write (export ${n})`), { code: 'EBUSY' });
        const dir = direction === 'in' ? 'in' : 'out';
        fake.exported.set(n, { direction: dir, edge, watchers: new Set() });
        if (direction === 'high') fake.levels.set(n, 1);
        if (direction === 'low' || (direction === 'out' && !fake.levels.has(n))) fake.levels.set(n, 0);
      }
      readSync(): 0 | 1 { return fake.levels.get(this.n) ?? 0; }
      writeSync(v: 0 | 1): void {
        if (fake.exported.get(this.n)?.direction !== 'out') throw Object.assign(new Error('EPERM: operation not permitted, write'), { code: 'EPERM' });
        fake.levels.set(this.n, v);
      }
      watch(cb: Cb): void { fake.exported.get(this.n)!.watchers.add(cb); }
      unwatch(cb?: Cb): void {
        const w = fake.exported.get(this.n)?.watchers;
        if (cb) w?.delete(cb);
        else w?.clear();
      }
      unexport(): void { fake.exported.delete(this.n); }
    };
  }
}

/** A /sys tree with the given gpiochips: [name, label, base, ngpio]. */
export function fakeSysfs(chips: Array<[string, string, number, number]>): string {
  const root = mkdtempSync(join(tmpdir(), 'sysfs-'));
  for (const [name, label, base, ngpio] of chips) {
    const d = join(root, 'class/gpio', name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'label'), `${label}\n`);
    writeFileSync(join(d, 'base'), `${base}\n`);
    writeFileSync(join(d, 'ngpio'), `${ngpio}\n`);
  }
  return root;
}
