/**
 * A typed event bus keyed by a payload map (`{ name: payload }`): the router's and the bridge's events, each with one
 * payload object. The emitter is lib's (listener errors isolated and reported, never reaching the router or the
 * bridge); this only spells its events map from payloads.
 */
import { TypedEmitter } from '../../lib/events/typed-emitter.js';

export type PayloadListeners<M> = { [K in keyof M]: (event: M[K]) => void };

export class EventBus<M extends object> extends TypedEmitter<PayloadListeners<M>> {
  /** Typed by payload, so one listener can take several events (`for (const t of ['received', 'dropped'])`). */
  override on<K extends keyof M & string>(event: K, listener: (event: M[K]) => void): () => void {
    return super.on(event, listener as PayloadListeners<M>[K]);
  }
}
