/**
 * Typed events of the vault (lib's emitter: a throwing listener is reported, never reaches the write cycle).
 * They replace the public mutable `onExpired` hook the router used to set and clear.
 */
import { TypedEmitter } from '../../lib/events/typed-emitter.js';
import type { OutboxRow } from './outbox.js';

export interface VaultEventMap {
  /** A stored bundle's time is over (its own lifetime or `vault.lifetimeDays`): its body is gone, its pending
   * targets are expired. Emitted once the sweep that did it is durable; `outbox` is its row before that. */
  expired: (event: { id: Uint8Array; outbox: OutboxRow | undefined }) => void;
}

export class VaultEvents extends TypedEmitter<VaultEventMap> {}
