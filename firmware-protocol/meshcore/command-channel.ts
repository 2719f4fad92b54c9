/**
 * One command in flight at a time, replies matched by code (the companion protocol has no sequence numbers:
 * MyMesh.cpp answers in order, and only push codes ≥ 0x80 interleave). Every wait is abortable and times out
 * naming the reply it waited for (official guidance: 5 s per command).
 */
import { RESP } from './codes.js';
import type { CommandSpec } from './command-table.js';
import { MeshCoreAbortError, MeshCoreCommandRejectedError, MeshCoreLinkClosedError, MeshCoreTimeoutError } from './errors.js';

/**
 * How long a write in flight when the link closes may take to settle before it counts as not written. Over BLE the
 * write-with-response's answer crosses D-Bus and BlueZ after the disconnect signal: 250 ms was too short on a loaded
 * host (the gateway suite's lost-answer case read a text the radio had sent as unwritten, and it would be sent
 * twice). Only a close during a write waits this long; the command's own timeout still bounds it.
 */
const WRITE_SETTLE_GRACE_MS = 2000;

interface InFlight {
  spec: CommandSpec<never, unknown>;
  frames: Uint8Array[];
  /** The command's frame was written to the link in full: from here on the radio may carry it out. */
  written: boolean;
  /** The write itself: true once written in full, false if it failed. A link may report its close before the write
   * that caused it settles (BLE: the radio acted on a write-with-response and dropped the link before the reply). */
  writing?: Promise<boolean>;
  /** Restarts the timeout: a long multi-frame reply (350 contacts ≈ 4.6 s at 115200 baud) is alive while it flows. */
  touch(): void;
  /** Stops the timeout: the link closed, and what the write did decides the outcome. */
  stopTimer(): void;
  resolve(frames: Uint8Array[]): void;
  reject(err: Error): void;
}

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export class CommandChannel {
  private tail: Promise<unknown> = Promise.resolve();
  private current: InFlight | null = null;
  private closedWith: Error | null = null;

  constructor(
    private readonly write: (payload: Uint8Array, signal?: AbortSignal) => Promise<void>,
    private readonly linkName: string,
    private readonly defaultTimeoutMs = 5000,
  ) {}

  get busy(): boolean {
    return this.current !== null;
  }

  request<A, R>(spec: CommandSpec<A, R>, args: A, options: RequestOptions = {}): Promise<R> {
    // Encode first so bad arguments fail at the call site without occupying the queue.
    const payload = spec.encode(args);
    const run = this.tail.then(() => this.exchange(spec as unknown as CommandSpec<never, unknown>, payload, options));
    this.tail = run.catch(() => undefined);
    return run.then((frames) => spec.decode(frames));
  }

  /** Offers a received frame; true when it belonged to the command in flight. */
  handleFrame(frame: Uint8Array): boolean {
    const cur = this.current;
    if (!cur) return false;
    const code = frame[0];
    if (code === RESP.ERR) {
      this.current = null;
      cur.reject(new MeshCoreCommandRejectedError(cur.spec.name, frame.length > 1 ? frame[1] : undefined));
      return true;
    }
    if (!cur.spec.replies.includes(code)) return false;
    cur.frames.push(frame);
    cur.touch();
    if (cur.spec.isFinal(frame)) {
      this.current = null;
      cur.resolve(cur.frames);
    }
    return true;
  }

  /** Fails the command in flight and every later one. */
  close(error?: Error): void {
    this.closedWith = error ?? new MeshCoreLinkClosedError(this.linkName);
    const cur = this.current;
    this.current = null;
    if (!cur) return;
    // A command already on the link may have been carried out: say so, the caller decides whether to repeat it.
    const unanswered = () => new MeshCoreLinkClosedError(this.linkName, { cause: this.closedWith, unanswered: cur.spec.name });
    if (cur.written) cur.reject(unanswered());
    // Its write still in flight: the link may report the close a moment before the write settles (BLE: the radio
    // acted on a write-with-response, then dropped the link). What the write did decides; one that has not settled
    // within WRITE_SETTLE_GRACE_MS was not written.
    else if (cur.writing) {
      cur.stopTimer(); // the link is gone: no answer can come, only the write's own outcome
      let grace: NodeJS.Timeout | undefined;
      const late = new Promise<boolean>((res) => { grace = setTimeout(() => res(false), WRITE_SETTLE_GRACE_MS); });
      void Promise.race([cur.writing, late]).then((ok) => {
        clearTimeout(grace);
        cur.reject(ok ? unanswered() : this.closedWith!);
      });
    } else cur.reject(this.closedWith);
  }

  private exchange(spec: CommandSpec<never, unknown>, payload: Uint8Array, options: RequestOptions): Promise<Uint8Array[]> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new MeshCoreAbortError(spec.name, { cause: signal.reason }));
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise<Uint8Array[]>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onTimeout = () => {
        if (this.current === entry) this.current = null;
        entry.reject(new MeshCoreTimeoutError(spec.name, spec.waitsFor, timeoutMs));
      };
      const entry: InFlight = {
        spec,
        frames: [],
        written: false,
        touch: () => {
          clearTimeout(timer);
          timer = setTimeout(onTimeout, timeoutMs);
        },
        stopTimer: () => clearTimeout(timer),
        resolve: (f) => { cleanup(); resolve(f); },
        reject: (e) => { cleanup(); reject(e); },
      };
      const onAbort = () => {
        if (this.current === entry) this.current = null;
        entry.reject(new MeshCoreAbortError(spec.name, { cause: signal?.reason }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(onTimeout, timeoutMs);
      this.current = entry;
      entry.writing = this.write(payload, signal).then(() => {
        entry.written = true;
        return true;
      }, (err: unknown) => {
        if (this.current === entry) this.current = null;
        entry.reject(err instanceof Error && err.name === 'AbortError' ? err : new MeshCoreLinkClosedError(this.linkName, { cause: err }));
        return false;
      });
    });
  }
}
