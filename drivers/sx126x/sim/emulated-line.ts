/** A GpioLine driven by a simulator (inputs like BUSY/DIO1) or by the driver (outputs like NRESET/RXEN/TXEN). */
import type { GpioEdge, GpioLevel, GpioLine } from '../../hal/gpio-line.js';

export class EmulatedLine implements GpioLine {
  private waiters = new Set<{ edge: GpioEdge; resolve: () => void }>();
  private writeListener: ((level: GpioLevel) => void) | undefined;
  /** Every level change, for tests of RF switch sequencing. */
  readonly history: GpioLevel[] = [];

  constructor(readonly name: string, private level: GpioLevel = 0) {}

  /** Simulator side: change the level and fire edge waiters. */
  set(level: GpioLevel): void {
    if (level === this.level) return;
    this.level = level;
    this.history.push(level);
    const edge: GpioEdge = level === 1 ? 'rising' : 'falling';
    for (const w of [...this.waiters]) {
      if (w.edge === 'both' || w.edge === edge) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  get value(): GpioLevel {
    return this.level;
  }

  /** Simulator side: observe what the driver writes. */
  onWrite(listener: (level: GpioLevel) => void): void {
    this.writeListener = listener;
  }

  async read(): Promise<GpioLevel> {
    return this.level;
  }

  async write(level: GpioLevel): Promise<void> {
    this.set(level);
    this.writeListener?.(level);
  }

  waitEdge(edge: GpioEdge, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = opts;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const w = {
        edge,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.waiters.delete(w);
        reject(signal!.reason);
      };
      this.waiters.add(w);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    this.waiters.clear();
  }
}
