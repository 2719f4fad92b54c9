/**
 * Test support for hardware tests: wraps a real gateway bearer unchanged and lets the test hand the router a
 * `foreign` message as if the gateway had heard it on its mesh — the one thing a test cannot make a real mesh do
 * (a user on it speaking). Everything else (start, stop, canReach, send, peers, status) is the real bearer's.
 */
import type { Bearer, BearerEvents, BearerStatus, ForeignMessage, OutFrame, PeerId, SendResult } from '../../runtime/bearer/bearer.js';

export class InjectingBearer implements Bearer {
  private readonly foreign = new Set<BearerEvents['foreign']>();

  constructor(readonly inner: Bearer) {}

  get name(): string {
    return this.inner.name;
  }

  get mode(): 'sync' | 'async' {
    return this.inner.mode;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  canReach(peer: PeerId): boolean {
    return this.inner.canReach(peer);
  }

  send(frame: OutFrame, options?: { signal?: AbortSignal }): Promise<SendResult> {
    return this.inner.send(frame, options);
  }

  on<E extends keyof BearerEvents>(event: E, listener: BearerEvents[E]): () => void {
    const off = this.inner.on(event, listener);
    if (event !== 'foreign') return off;
    const l = listener as BearerEvents['foreign'];
    this.foreign.add(l);
    return () => {
      this.foreign.delete(l);
      off();
    };
  }

  status(): BearerStatus {
    return this.inner.status();
  }

  /** Delivers `m` to the foreign listeners (the router) as the real gateway would. */
  inject(m: ForeignMessage): void {
    for (const l of this.foreign) l(m);
  }
}
