/**
 * The one typed event emitter: bearers' `on('frame' | 'foreign' | 'peer')`, the router's and the bridge's event buses,
 * the Meshtastic and MeshCore sessions.
 *
 * - Typed by an events map (`{ frame: (f: InFrame) => void }`): `on` and `emit` only accept its names and arguments.
 * - `on` returns the unsubscribe function (no `off(event, sameFunctionAgain)` bookkeeping for callers).
 * - Listener errors are isolated, as zigbee-herdsman's event bus does it: a throwing listener is reported to
 *   `onListenerError` and never reaches `emit`'s caller (a bearer's receive loop, the router) nor the other listeners.
 * - `emit` calls the listeners registered when it started: one that unsubscribes itself or another, or subscribes a
 *   new one, changes the next emit, never the current one (Node's EventEmitter does the same). The listener lists are
 *   copied on subscribe and unsubscribe, which are rare, so the hot path (`emit`) allocates nothing.
 */

/** Reports a listener that threw; the default writes a process warning so the bug is seen but nothing breaks. */
export type ListenerErrorReporter<E> = (err: unknown, event: keyof E & string) => void;

export interface TypedEmitterOptions<E> {
  onListenerError?: ListenerErrorReporter<E>;
}

/** The default reporter: a process warning named ListenerError, with the event name and the error's stack. */
export function warnListenerError(err: unknown, event: string): void {
  process.emitWarning(`a listener of "${event}" threw: ${err instanceof Error ? err.stack ?? err.message : String(err)}`, 'ListenerError');
}

export class TypedEmitter<E extends { [K in keyof E]: (...args: never[]) => void }> {
  private readonly listeners = new Map<keyof E, ReadonlyArray<(...args: never[]) => void>>();
  private readonly onListenerError: ListenerErrorReporter<E>;

  constructor(options: TypedEmitterOptions<E> = {}) {
    this.onListenerError = options.onListenerError ?? warnListenerError;
  }

  /**
   * Subscribes `listener` to `event`; the returned function unsubscribes it (calling it twice is harmless). A listener
   * already subscribed to `event` is not added twice (a set, as every emitter here was before this one).
   */
  on<K extends keyof E & string>(event: K, listener: E[K]): () => void {
    const current = this.listeners.get(event) ?? [];
    if (!current.includes(listener)) this.listeners.set(event, [...current, listener]);
    return () => {
      const list = this.listeners.get(event);
      if (!list) return;
      const i = list.indexOf(listener);
      if (i < 0) return;
      const rest = list.filter((_, j) => j !== i);
      if (rest.length > 0) this.listeners.set(event, rest);
      else this.listeners.delete(event);
    };
  }

  /** Calls every listener of `event` with `args`; a listener that throws is reported and skipped. */
  emit<K extends keyof E & string>(event: K, ...args: Parameters<E[K]>): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (const listener of list) {
      try {
        (listener as (...a: Parameters<E[K]>) => void)(...args);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }

  /** Whether anyone listens to `event` (lets hot paths skip building an event nobody reads). */
  listening(event: keyof E & string): boolean {
    return this.listeners.has(event);
  }

  /** Unsubscribes every listener of every event. */
  clear(): void {
    this.listeners.clear();
  }
}
