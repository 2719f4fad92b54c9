/**
 * TxQueue: one radio transmits one thing at a time. Tasks run in order; `urgent` tasks (link acknowledgements) go
 * before waiting normal ones so an ACK is not stuck behind a long fragmented send of this node's own.
 */
interface Task {
  run: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export class TxQueue {
  private readonly urgent: Task[] = [];
  private readonly normal: Task[] = [];
  private pumping?: Promise<void>;

  run<T>(fn: () => Promise<T>, options: { urgent?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      (options.urgent ? this.urgent : this.normal).push({ run: fn, resolve: resolve as (v: unknown) => void, reject });
      this.pumping ??= this.pump();
    });
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  get length(): number {
    return this.urgent.length + this.normal.length;
  }

  private async pump(): Promise<void> {
    try {
      for (let t = this.urgent.shift() ?? this.normal.shift(); t; t = this.urgent.shift() ?? this.normal.shift()) {
        try {
          t.resolve(await t.run());
        } catch (err) {
          t.reject(err);
        }
      }
    } finally {
      this.pumping = undefined;
    }
  }
}
