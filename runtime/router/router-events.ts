/**
 * Typed events of the router, for the one-line logs of the simulated default and for tests. Listener errors are
 * isolated (one bad listener never breaks routing or the other listeners).
 */
export interface RouterEventMap {
  /** A new bundle was stored (received from a bearer, created here, or wrapped from a foreign mesh). */
  received: { id: string; sender: string; recipient: string; bearer?: string; from?: string; hops: number; created: boolean };
  /** Delivered: into this node's inbox (`to: 'inbox'`), or to a next hop / the recipient (`to` = peer). */
  delivered: { id: string; to: string; bearer?: string; via: 'inbox' | 'sync' | 'bloom' };
  /** Handed to a bearer that accepted it (sync or async). */
  forwarded: { id: string; peer: string; bearers: string[] };
  dropped: { reason: string; id?: string; bearer?: string; from?: string; detail?: string };
  duplicate: { id: string; bearer?: string; from?: string };
}

type Listener<K extends keyof RouterEventMap> = (event: RouterEventMap[K]) => void;

export class RouterEvents {
  private readonly listeners = new Map<keyof RouterEventMap, Set<Listener<never>>>();

  on<K extends keyof RouterEventMap>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set!.delete(listener as Listener<never>);
  }

  /** Whether anyone listens (lets hot paths skip building an event nobody reads). */
  listening(event: keyof RouterEventMap): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  emit<K extends keyof RouterEventMap>(event: K, payload: RouterEventMap[K]): void {
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
