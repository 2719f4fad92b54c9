/**
 * What the MQTT gateways (roles meshtastic and meshcore-observer) share as bearers: they carry a radio's packets to
 * and from a broker, not bundles, so the router never sends through them (canReach is false) and they emit no frames;
 * they are bearers so the daemon starts and stops them in order and `lattice status` shows them. Their radio is
 * another bearer, found by name when they start (BearerBuildContext.bearer), whatever order the kinds were built in.
 */
import type { Bearer, BearerEvents, BearerStatus, PeerId, SendResult } from '../../bearer/bearer.js';
import { TypedEmitter } from '../../../lib/events/typed-emitter.js';

export type BearerLookup = (name: string) => Bearer | undefined;

export abstract class GatewayBearer implements Bearer {
  readonly mode = 'async' as const;
  protected readonly listeners = new TypedEmitter<BearerEvents>();

  constructor(readonly name: string) {}

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  abstract status(): BearerStatus;

  canReach(_peer: PeerId): boolean {
    return false;
  }

  async send(): Promise<SendResult> {
    return 'unreachable';
  }

  on<E extends keyof BearerEvents>(event: E, listener: BearerEvents[E]): () => void {
    return this.listeners.on(event, listener);
  }
}
