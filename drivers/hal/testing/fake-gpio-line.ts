/** An in-memory GpioLine: the test drives inputs (`drive`) and reads what the code under test wrote (`level`). */
import type { GpioEdge, GpioLevel, GpioLine } from '../gpio-line.js';

export class FakeGpioLine implements GpioLine {
  private readonly waiters = new Set<{ edge: GpioEdge; resolve: () => void; reject: (err: unknown) => void }>();
  private closed = false;

  constructor(readonly direction: 'in' | 'out', private current: GpioLevel = 0) {}

  /** Test side: an external level change on an input. */
  drive(level: GpioLevel): void {
    if (this.direction !== 'in') throw new Error('drive() is for inputs');
    this.change(level);
  }

  /** Test side: the level on the pin. */
  get level(): GpioLevel {
    return this.current;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async read(): Promise<GpioLevel> {
    if (this.closed) throw new Error('line closed');
    return this.current;
  }

  async write(level: GpioLevel): Promise<void> {
    if (this.closed) throw new Error('line closed');
    if (this.direction !== 'out') throw new Error('write on an input');
    this.change(level);
  }

  waitEdge(edge: GpioEdge, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = opts;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      if (this.closed) return reject(new Error('line closed'));
      const onAbort = () => {
        this.waiters.delete(w);
        reject(signal!.reason);
      };
      const w = {
        edge,
        resolve: () => (signal?.removeEventListener('abort', onAbort), resolve()),
        reject: (err: unknown) => (signal?.removeEventListener('abort', onAbort), reject(err)),
      };
      this.waiters.add(w);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters) w.reject(new Error('line closed'));
    this.waiters.clear();
  }

  private change(level: GpioLevel): void {
    if (level === this.current) return;
    this.current = level;
    const edge: GpioEdge = level === 1 ? 'rising' : 'falling';
    for (const w of [...this.waiters]) {
      if (w.edge === 'both' || w.edge === edge) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }
}
