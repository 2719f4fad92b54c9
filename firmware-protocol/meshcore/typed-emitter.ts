/** A tiny typed event bus: listener errors are isolated so a consumer bug never breaks the session. */
export class TypedEmitter<E extends { [K in keyof E]: (...args: never[]) => void }> {
  private listeners = new Map<keyof E, Set<(...args: never[]) => void>>();

  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        (l as (...a: Parameters<E[K]>) => void)(...args);
      } catch {
        // isolated: see class comment
      }
    }
  }

  protected clearListeners(): void {
    this.listeners.clear();
  }
}
