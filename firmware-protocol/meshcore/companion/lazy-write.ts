/**
 * Lazy persistence of the companion's state (examples/companion_radio/MyMesh.cpp dirty_contacts_expiry,
 * LAZY_CONTACTS_WRITE_DELAY): a change arms one timer; the state is written when it fires (or at once on flush), so
 * a burst of adverts costs one write.
 */
import type { Clock } from '../../../lib/clock/clock.js';

/** MyMesh.cpp LAZY_CONTACTS_WRITE_DELAY, ms. */
export const LAZY_WRITE_DELAY_MS = 5000;

export class LazyWrite {
  private timer: AbortController | undefined;
  private stopped = false;

  constructor(private readonly clock: Clock, private readonly write: () => Promise<void>) {}

  /** A change: write in LAZY_WRITE_DELAY_MS unless a write is already pending. */
  mark(): void {
    if (this.stopped || this.timer) return;
    const ac = new AbortController();
    this.timer = ac;
    this.clock.sleep(LAZY_WRITE_DELAY_MS, { signal: ac.signal, unref: true }).then(
      () => {
        this.timer = undefined;
        void this.flush();
      },
      () => undefined,
    );
  }

  /** Write now (the pending timer, if any, is cancelled). */
  async flush(): Promise<void> {
    this.timer?.abort();
    this.timer = undefined;
    await this.write();
  }

  /** No more timers (a last flush is the owner's call). */
  stop(): void {
    this.stopped = true;
    this.timer?.abort();
    this.timer = undefined;
  }
}
