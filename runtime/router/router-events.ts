/**
 * Typed events of the router, for the one-line logs of the simulated default and for tests (EventBus: listener errors
 * are isolated, one bad listener never breaks routing or the other listeners).
 */
import type { Bundle } from '../bundle/bundle.js';
import { EventBus } from '../events/event-bus.js';

export interface RouterEventMap {
  /** A new bundle was stored (received from a bearer, created here, or wrapped from a foreign mesh). `bundle` is the
   * decoded bundle, so a listener need not read and decode it again (the bridge). */
  received: { id: string; sender: string; recipient: string; bearer?: string; from?: string; hops: number; created: boolean; bundle?: Bundle };
  /** Delivered: into this node's inbox (`to: 'inbox'`), or to a next hop / the recipient (`to` = peer). */
  delivered: { id: string; to: string; bearer?: string; via: 'inbox' | 'sync' | 'bloom' };
  /** Handed to a bearer that accepted it (sync or async). */
  forwarded: { id: string; peer: string; bearers: string[] };
  dropped: { reason: string; id?: string; bearer?: string; from?: string; detail?: string };
  duplicate: { id: string; bearer?: string; from?: string };
}

export class RouterEvents extends EventBus<RouterEventMap> {}
