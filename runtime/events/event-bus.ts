/**
 * A typed event bus keyed by an event map (`{ name: payload }`): the router's and the bridge's events. Listener
 * errors are isolated: one bad listener never breaks the emitter nor the other listeners.
 */
type Listener<P> = (event: P) => void;

export class EventBus<M extends object> {
  private readonly listeners = new Map<keyof M, Set<Listener<never>>>();

  on<K extends keyof M>(event: K, listener: Listener<M[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set!.delete(listener as Listener<never>);
  }

  /** Whether anyone listens (lets hot paths skip building an event nobody reads). */
  listening(event: keyof M): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  emit<K extends keyof M>(event: K, payload: M[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of set) {
      try {
        (l as Listener<M[K]>)(payload);
      } catch {
        // isolated on purpose
      }
    }
  }
}
