/** A tiny typed event emitter; a listener that throws never reaches the emitter (its error goes to `onError`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class Emitter<Events extends { [K in keyof Events]: (...args: any[]) => void }> {
  private readonly listeners = new Map<keyof Events, Set<Events[keyof Events]>>();

  constructor(private readonly onError: (err: unknown, event: keyof Events) => void = () => {}) {}

  on<E extends keyof Events>(event: E, listener: Events[E]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const l of [...set]) {
      try {
        (l as (...a: Parameters<Events[E]>) => void)(...args);
      } catch (err) {
        this.onError(err, event);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
