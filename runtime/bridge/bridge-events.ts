/**
 * Typed events of the bridge, for the one-line logs of the simulated default, benchmarks and tests. Listener errors
 * are isolated (a bad listener never stops a drain).
 */
import type { QueueName } from './bridge-queue.js';

export interface BridgeEventMap {
  /** A foreign bundle was taken and its parts queued for the other mesh (or a reply queued for the sender). */
  queued: { sourceId: string; direction: QueueName; from: string; fromName?: string; targets: string[]; parts: number; shed: number };
  /** One part went to the receiving radio as a new relay-signed bundle. */
  bridged: { sourceId: string; direction: QueueName; target: string; text: string; bundleId: string; part: number; parts: number };
  /** A foreign bundle (or a queued part, reason `limit`) was not bridged. */
  dropped: { sourceId: string; direction: QueueName; reason: string; detail?: string };
}

type Listener<K extends keyof BridgeEventMap> = (event: BridgeEventMap[K]) => void;

export class BridgeEvents {
  private readonly listeners = new Map<keyof BridgeEventMap, Set<Listener<never>>>();

  on<K extends keyof BridgeEventMap>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set!.delete(listener as Listener<never>);
  }

  emit<K extends keyof BridgeEventMap>(event: K, payload: BridgeEventMap[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of set) {
      try {
        (l as Listener<K>)(payload);
      } catch {
        // isolated on purpose
      }
    }
  }
}
