/**
 * A drain sends its parts one at a time: it waits until the router reports the bundle handed to its radio (or
 * dropped) before the next, so parts leave in order. A wait that times out is not a failure: the router keeps the
 * bundle queued and retries it; the drain moves on.
 */
import type { Logger } from '../log/logger.js';
import type { Vault } from '../vault/vault.js';
import { BridgeDeliveryTimeoutError } from './errors.js';

export class DeliveryWaits {
  private readonly waiting = new Map<string, () => void>();

  constructor(private readonly deps: { vault: Pick<Vault, 'outbox'>; timeoutMs: number; log: Logger }) {}

  /** The router handed `bundleId` to a radio, or dropped it. */
  settle(bundleId: string): void {
    this.waiting.get(bundleId)?.();
  }

  /** Ends every wait (stop). */
  releaseAll(): void {
    for (const w of [...this.waiting.values()]) w();
  }

  async wait(bundleId: string, signal: AbortSignal): Promise<void> {
    const ms = this.deps.timeoutMs;
    await new Promise<void>((resolve, reject) => {
      const finish = (err?: Error) => {
        clearTimeout(t);
        signal.removeEventListener('abort', onAbort);
        this.waiting.delete(bundleId);
        if (err) reject(err);
        else resolve();
      };
      const onAbort = () => finish(new BridgeDeliveryTimeoutError(bundleId, 0));
      // A fallback, not a pace: a real timer, whatever clock the bridge runs on.
      const t = setTimeout(() => finish(new BridgeDeliveryTimeoutError(bundleId, ms)), ms);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(bundleId, () => finish());
      // Already done (a re-send after a restart finds the bundle stored and sent).
      const row = this.deps.vault.outbox(Buffer.from(bundleId, 'hex'));
      if (row && row.targets.length > 0 && row.targets.every((x) => x.state !== 'queued')) finish();
    }).catch((err: Error) => {
      // Timed out: the router keeps the bundle queued and retries it; the entry is done as far as the bridge goes.
      if (err.name === 'BridgeDeliveryTimeoutError' && !signal.aborted) {
        this.deps.log.warn('bridged part not yet taken by its radio; the router keeps retrying it', { bundleId });
        return;
      }
      throw err;
    });
  }
}
