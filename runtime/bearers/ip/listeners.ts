/**
 * The listener registry behind Bearer.on(): typed per event, returns an unsubscribe function, and isolates
 * listener errors (a throwing listener is reported through `onListenerError` and never reaches the bearer).
 * Shared by the IP and MQTT bearers.
 */
import type { BearerEvents } from '../../bearer/bearer.js';

export class BearerListeners {
  private readonly sets: { [E in keyof BearerEvents]: Set<BearerEvents[E]> } = {
    frame: new Set(),
    foreign: new Set(),
    peer: new Set(),
  };

  constructor(private readonly onListenerError: (event: string, err: unknown) => void) {}

  on<E extends keyof BearerEvents>(event: E, listener: BearerEvents[E]): () => void {
    const set = this.sets[event] as Set<BearerEvents[E]>;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<E extends keyof BearerEvents>(event: E, ...args: Parameters<BearerEvents[E]>): void {
    for (const listener of this.sets[event] as Set<(...a: Parameters<BearerEvents[E]>) => void>) {
      try {
        listener(...args);
      } catch (err) {
        this.onListenerError(event, err);
      }
    }
  }
}
