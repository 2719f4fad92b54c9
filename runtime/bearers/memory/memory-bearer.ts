/**
 * In-memory bearer: relays in one process linked through a MemoryHub (unit tests, the simulated default).
 *
 * It keeps the Bearer contract's timing honest: frames are delivered on a later event-loop turn, never inside
 * send(); a `sync` bearer resolves `accepted` only after the peer's bearer took the frame (like a LoRa broadcast's
 * TxDone) or, with `acks`, only once the peer's router settled it as durable (`InFrame.settle`, like the IP
 * bearer's and LoRa unicast's acknowledgements); an `async` bearer resolves `accepted` as soon as its "broker"
 * queued it and delivers after `latencyMs` (or never, while the hub holds async traffic), so only a delivery bloom
 * proves delivery.
 */
import { BROADCAST, type Bearer, type BearerEvents, type BearerStatus, type FrameFate, type OutFrame, type PeerId, type SendResult } from '../../bearer/bearer.js';
import type { ForeignMessage } from '../../bearer/bearer.js';
import type { BearerFactory } from '../../bearer/bearer-kind.js';
import { TypedEmitter } from '../../../lib/events/typed-emitter.js';

export interface MemoryBearerOptions {
  /** Bearer name, unique per node. Default `mem`. */
  name?: string;
  mode?: 'sync' | 'async';
  /** Async delivery delay. Default 0 (next turn). */
  latencyMs?: number;
  /** Foreign-address prefixes this bearer delivers to (a fake gateway), e.g. ['mt:']. Like a real gateway it carries
   * only bundles with readable text there. */
  foreign?: string[];
  /** Foreign addresses the fake gateway announces as peers once started, as a real one announces its radio's
   * channels and nodes (e.g. ['mt:ch:0']). */
  foreignPeers?: PeerId[];
  /** Sync only: `accepted` once a receiving peer settled the frame as 'stored', 'duplicate' or 'handled' (not
   * 'refused' / 'not-stored', not unsettled within `ackTimeoutMs`). Default false: accepted once delivered. */
  acks?: boolean;
  /** With `acks`: how long send() waits for the receiver to settle. Default 10 s. */
  ackTimeoutMs?: number;
}

/** A memory bearer: the node it belongs to, the hub that links it, and its options. */
export interface MemoryInit extends MemoryBearerOptions {
  hub: MemoryHub;
  nodeId: string;
}

/** The memory bearer in the house shape, `memoryBearer(init)(components)`. It keeps no metrics, logs nothing and
 * paces nothing (delivery is on the next event-loop turn), so it takes nothing from the components. */
export function memoryBearer(init: MemoryInit): BearerFactory<MemoryBearer> {
  const { hub, nodeId, ...options } = init;
  return () => hub.bearer(nodeId, options);
}

/** What the receiving bearer tells the sender about one delivered frame (undefined: never settled). */
type Settled = Promise<FrameFate | undefined>;

export class MemoryBearer implements Bearer {
  readonly name: string;
  readonly mode: 'sync' | 'async';
  private state: BearerStatus['state'] = 'stopped';
  /** Listener errors never reach the bearer (Bearer contract). */
  private readonly listeners = new TypedEmitter<BearerEvents>();
  /** Every frame this bearer accepted, in order (tests read it). */
  readonly sent: OutFrame[] = [];
  /** Frames to foreign addresses (what a gateway would have put on the foreign mesh). */
  readonly foreignOut: OutFrame[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopper = new AbortController();

  constructor(readonly nodeId: string, private readonly hub: MemoryHub, private readonly options: MemoryBearerOptions = {}) {
    this.name = options.name ?? 'mem';
    this.mode = options.mode ?? 'sync';
  }

  async start(): Promise<void> {
    if (this.state === 'up') return; // idempotent: neighbours hear it come up once
    if (this.stopper.signal.aborted) this.stopper = new AbortController();
    this.state = 'up';
    for (const p of this.hub.peersOf(this)) this.emit('peer', { bearer: this.name, peer: p.nodeId, up: true });
    for (const peer of this.options.foreignPeers ?? []) this.emit('peer', { bearer: this.name, peer, up: true });
    this.hub.announce(this, true);
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.hub.announce(this, false);
    this.state = 'stopped';
    // Sends still pending reject with this (Bearer contract: an AbortError-named error).
    this.stopper.abort(new DOMException(`memory bearer ${this.name} stopped`, 'AbortError'));
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  get up(): boolean {
    return this.state === 'up';
  }

  canReach(peer: PeerId): boolean {
    if (!this.up) return false;
    if (this.isForeign(peer)) return true;
    const peers = this.hub.peersOf(this).filter((p) => p.up);
    return peer === BROADCAST ? peers.length > 0 : peers.some((p) => p.nodeId === peer);
  }

  private isForeign(peer: PeerId): boolean {
    return (this.options.foreign ?? []).some((prefix) => peer.startsWith(prefix));
  }

  async send(frame: OutFrame, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    options.signal?.throwIfAborted();
    if (!this.up) return 'unreachable';
    if (this.isForeign(frame.peer)) {
      // What a real gateway can show on a foreign mesh: a bundle's text, not sealed, not empty.
      const b = frame.bundle;
      if (frame.kind !== 'bundle' || !b || b.sealed || b.body.length === 0) return 'unreachable';
      this.sent.push(frame);
      this.foreignOut.push(frame);
      return 'accepted';
    }
    const targets = this.hub.peersOf(this).filter((p) => p.up && (frame.peer === BROADCAST || p.nodeId === frame.peer));
    if (targets.length === 0) return 'unreachable';
    const bytes = new Uint8Array(frame.bytes);
    this.sent.push(frame);
    if (this.mode === 'async') {
      // The broker has it: accepted now, delivered later (or never, while the hub holds async traffic).
      this.hub.enqueueAsync(() => {
        for (const t of targets) if (t.up) t.deliver(this.nodeId, bytes);
      }, this.options.latencyMs ?? 0, this.timers);
      return 'accepted';
    }
    const stopped = this.stopper.signal;
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        options.signal?.removeEventListener('abort', onAbort);
        stopped.removeEventListener('abort', onAbort);
        reject(options.signal?.aborted ? options.signal.reason : stopped.reason);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      stopped.addEventListener('abort', onAbort, { once: true });
      setImmediate(() => {
        options.signal?.removeEventListener('abort', onAbort);
        stopped.removeEventListener('abort', onAbort);
        resolve();
      });
    });
    const live = targets.filter((t) => t.up);
    if (live.length === 0) return 'unreachable';
    if (!this.options.acks) {
      for (const t of live) t.deliver(this.nodeId, bytes);
      return 'accepted';
    }
    const timeoutMs = this.options.ackTimeoutMs ?? 10_000;
    const fates = await Promise.all(live.map((t) => this.awaitSettled(t.deliver(this.nodeId, bytes, true), timeoutMs, options.signal)));
    return fates.some((f) => f === 'stored' || f === 'duplicate' || f === 'handled') ? 'accepted' : 'unreachable';
  }

  private async awaitSettled(settled: Settled, timeoutMs: number, signal?: AbortSignal): Promise<FrameFate | undefined> {
    const stopped = this.stopper.signal;
    const wait = AbortSignal.any([stopped, ...(signal ? [signal] : [])]);
    return new Promise<FrameFate | undefined>((resolve, reject) => {
      // A ref'd timer (AbortSignal.timeout's is not): a test waiting on the timeout keeps the process alive.
      const timer = setTimeout(() => done(undefined), timeoutMs);
      const onAbort = (): void => {
        clearTimeout(timer);
        wait.removeEventListener('abort', onAbort);
        // Aborted by the caller, or this bearer stopped (its stop error): either way the send rejects.
        reject(signal?.aborted ? signal.reason : stopped.reason);
      };
      const done = (fate: FrameFate | undefined): void => {
        clearTimeout(timer);
        wait.removeEventListener('abort', onAbort);
        resolve(fate);
      };
      if (wait.aborted) return onAbort();
      wait.addEventListener('abort', onAbort, { once: true });
      void settled.then(done);
    });
  }

  /** Called by the hub: a frame from `from` arrives on this bearer. With `acked`, the frame carries a settle
   * callback and the result tells the sender its fate (undefined when this bearer is down or stops first). */
  deliver(from: string, bytes: Uint8Array, acked = false): Settled {
    if (!this.up) return Promise.resolve(undefined);
    if (!acked) {
      this.emit('frame', { bearer: this.name, from, bytes: new Uint8Array(bytes) });
      return Promise.resolve(undefined);
    }
    let settle!: (fate: FrameFate | undefined) => void;
    const settled = new Promise<FrameFate | undefined>((resolve) => {
      settle = resolve;
    });
    const stopped = this.stopper.signal;
    const onStop = (): void => settle(undefined);
    stopped.addEventListener('abort', onStop, { once: true });
    this.emit('frame', {
      bearer: this.name, from, bytes: new Uint8Array(bytes),
      settle: (fate) => {
        stopped.removeEventListener('abort', onStop);
        // A receiver that stopped meanwhile cannot acknowledge anything (its connection is gone).
        settle(stopped.aborted ? undefined : fate);
      },
    });
    return settled;
  }

  /** A message "heard on the foreign mesh" (fake gateway). */
  injectForeign(message: Omit<ForeignMessage, 'bearer'>): void {
    this.emit('foreign', { ...message, bearer: this.name });
  }

  peerEvent(peer: string, up: boolean): void {
    if (this.up) this.emit('peer', { bearer: this.name, peer, up });
  }

  on<E extends keyof BearerEvents>(event: E, listener: BearerEvents[E]): () => void {
    return this.listeners.on(event, listener);
  }

  private emit<E extends keyof BearerEvents>(event: E, arg: Parameters<BearerEvents[E]>[0]): void {
    this.listeners.emit(event, ...([arg] as Parameters<BearerEvents[E]>));
  }

  status(): BearerStatus {
    return {
      name: this.name,
      kind: 'memory',
      mode: this.mode,
      state: this.state,
      peers: this.up ? [...this.hub.peersOf(this).filter((p) => p.up).map((p) => p.nodeId), ...(this.options.foreignPeers ?? [])] : [],
    };
  }
}

/**
 * Links memory bearers into a topology. Bearers with the same name on two linked nodes are neighbours; link()
 * and unlink() emit `peer` events on both sides as a real bearer would on hearing / losing a neighbour.
 */
export class MemoryHub {
  private readonly bearers = new Map<string, MemoryBearer[]>();
  private readonly links = new Set<string>();
  private held: Array<() => void> | undefined;

  private static key(a: string, b: string): string {
    return a < b ? `${a}|${b}` : `${b}|${a}`;
  }

  bearer(nodeId: string, options: MemoryBearerOptions = {}): MemoryBearer {
    const b = new MemoryBearer(nodeId, this, options);
    const list = this.bearers.get(nodeId) ?? [];
    if (list.some((x) => x.name === b.name)) throw new RangeError(`node ${nodeId.slice(0, 12)} already has a bearer named ${b.name}`);
    list.push(b);
    this.bearers.set(nodeId, list);
    return b;
  }

  /** Drops a node's bearers (stop them first); a restarted node then registers new ones. */
  forget(nodeId: string): void {
    this.bearers.delete(nodeId);
  }

  peersOf(b: MemoryBearer): MemoryBearer[] {
    const out: MemoryBearer[] = [];
    for (const [node, list] of this.bearers) {
      if (node === b.nodeId || !this.links.has(MemoryHub.key(node, b.nodeId))) continue;
      for (const x of list) if (x.name === b.name) out.push(x);
    }
    return out;
  }

  /** A bearer came up or went down: tell its neighbours. */
  announce(b: MemoryBearer, up: boolean): void {
    for (const p of this.peersOf(b)) p.peerEvent(b.nodeId, up);
  }

  link(a: string, b: string): void {
    const k = MemoryHub.key(a, b);
    if (this.links.has(k)) return;
    this.links.add(k);
    this.notify(a, b, true);
  }

  unlink(a: string, b: string): void {
    if (!this.links.delete(MemoryHub.key(a, b))) return;
    this.notify(a, b, false);
  }

  private notify(a: string, b: string, up: boolean): void {
    for (const x of this.bearers.get(a) ?? []) for (const y of this.bearers.get(b) ?? []) {
      if (x.name !== y.name || !x.up || !y.up) continue;
      x.peerEvent(b, up);
      y.peerEvent(a, up);
    }
  }

  /** While held, async bearers accept frames but their broker delivers nothing (until release()). */
  holdAsync(): void {
    this.held ??= [];
  }

  releaseAsync(): void {
    const q = this.held ?? [];
    this.held = undefined;
    for (const f of q) f();
  }

  enqueueAsync(deliver: () => void, latencyMs: number, timers: Set<NodeJS.Timeout>): void {
    if (this.held) {
      this.held.push(deliver);
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      deliver();
    }, latencyMs);
    timers.add(t);
  }
}

/** Two nodes linked by one bearer each (the simplest topology). */
export function memoryBearerPair(aNodeId: string, bNodeId: string, options: MemoryBearerOptions = {}): [MemoryBearer, MemoryBearer, MemoryHub] {
  const hub = new MemoryHub();
  const a = hub.bearer(aNodeId, options);
  const b = hub.bearer(bNodeId, options);
  hub.link(aNodeId, bNodeId);
  return [a, b, hub];
}
