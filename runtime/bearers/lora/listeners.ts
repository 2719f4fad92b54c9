/** Typed listener sets for BearerEvents; a throwing listener never reaches the bearer (nor other listeners). */
import type { BearerEvents } from '../../bearer/bearer.js';

export class Listeners {
  private readonly sets: { [E in keyof BearerEvents]: Set<BearerEvents[E]> } = { frame: new Set(), foreign: new Set(), peer: new Set() };

  constructor(private readonly onListenerError: (err: unknown) => void) {}

  on<E extends keyof BearerEvents>(event: E, listener: BearerEvents[E]): () => void {
    const set = this.sets[event] as Set<BearerEvents[E]>;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<E extends keyof BearerEvents>(event: E, ...args: Parameters<BearerEvents[E]>): void {
    for (const l of this.sets[event] as Set<(...a: Parameters<BearerEvents[E]>) => void>) {
      try {
        l(...args);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}
