/**
 * Bridge: joins a Meshtastic mesh and a MeshCore mesh through two of the relay's radio gateways
 * (runtime/bearer/radio-gateway.ts).
 *
 * It never touches radio frames. The gateways turn what their meshes say into foreign bundles (the router wraps
 * each in a relay-signed bundle with `origin`); the bridge listens to the router's `received` events for those,
 * decides and queues text parts durably (bridge-intake.ts, bridge-plan.ts, bridge-queue.ts), and one drain per
 * direction hands the parts in order to the router as new bundles signed by this relay, addressed to the other
 * mesh's channel or node (bridge-drain.ts). It reads the radios through their typed view, remembering the last one
 * seen up (radio-snapshots.ts), and steps aside for another bridge on the same meshes (peer-holdoff.ts).
 *
 * `lattice trace` shows both ends: the source gets `bridged` (target and new bundle id), each new bundle
 * `bridged-from` (the source id); drops are traced on the source as `bridge-dropped` with the reason.
 */
import { join } from 'node:path';
import { systemClock, type Clock } from '../../lib/clock/clock.js';
import type { Bearer } from '../bearer/bearer.js';
import type { RadioGateway } from '../bearer/radio-gateway.js';
import type { BridgeConfig } from '../config/config.js';
import type { Identity } from '../identity/identity.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { OnDamage } from '../store/open-store.js';
import type { SendRequest } from '../node/relay-node.js';
import type { RouterEvents } from '../router/router-events.js';
import type { Vault } from '../vault/vault.js';
import { airtimeMs } from './airtime-estimate.js';
import type { MeshNet } from './attribution.js';
import { BridgeDrain } from './bridge-drain.js';
import { BridgeEvents } from './bridge-events.js';
import { BridgeIntake } from './bridge-intake.js';
import { BridgeMetrics } from './bridge-metrics.js';
import { BridgeQueue, QUEUE_NAMES, type QueueEntry, type QueueName } from './bridge-queue.js';
import { DeliveryWaits } from './delivery-waits.js';
import { EchoWindow } from './echo-window.js';
import { PeerHoldoff } from './peer-holdoff.js';
import { pickRadios } from './pick-radios.js';
import { RadioSnapshots } from './radio-snapshots.js';
import { channelIndex, viewRadio } from './radio-view.js';
import { SendLimiter } from './send-limiter.js';

/** The router as the bridge uses it. */
export interface BridgeRouter {
  readonly events: RouterEvents;
  send(request: SendRequest & { sentAt?: number }): Promise<{ bundleId: string }>;
}

export interface BridgeDeps {
  router: BridgeRouter;
  vault: Pick<Vault, 'get' | 'trace' | 'outbox' | 'inboxIds' | 'isOpen'>;
  identity: Identity;
  bearers: readonly Bearer[];
  settings: BridgeConfig;
  metrics?: Metrics;
  log?: Logger;
  /** The bridge keeps its queue under `<dataDir>/bridge`. */
  dataDir: string;
  /** A damaged queue store at start: moved aside (default) or refuse (config vault.onDamage). */
  onDamage?: OnDamage;
  /** Time and the paces the bridge sets itself (rate limits, airtime budgets, hold-offs); default the system clock. */
  clock?: Clock;
  /** How long a drain waits for the router to hand a part to its radio before moving on (the router keeps
   * retrying it). Default 120 s. */
  deliveryTimeoutMs?: number;
  /** How often a drain re-checks a radio that cannot take its head entry. Default 1 s. */
  pollMs?: number;
}

export interface BridgeStatus {
  enabled: true;
  radios: { meshtastic: string; meshcore: string };
  mappings: Array<{ meshtastic: number | string; meshcore: number | string; direction: string; resolved: { meshtastic?: number; meshcore?: number } }>;
  queues: Record<QueueName, number>;
  bridged: Record<QueueName, number>;
  dropped: Record<string, number>;
}

const TARGET_NET: Record<QueueName, MeshNet> = { 'mt-to-mc': 'mc', 'mc-to-mt': 'mt' };
const LIMIT_KEY: Record<QueueName, 'mtToMc' | 'mcToMt'> = { 'mt-to-mc': 'mtToMc', 'mc-to-mt': 'mcToMt' };
/** Bundle ids the bridge made, remembered so they are never taken as foreign text. */
const MADE_MEMORY = 4096;

export class Bridge {
  readonly events = new BridgeEvents();
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly queue: BridgeQueue;
  private readonly echo: EchoWindow;
  private readonly holdoff: PeerHoldoff;
  private readonly counters: BridgeMetrics;
  private readonly made = new Set<string>();
  private readonly deliveries: DeliveryWaits;
  private radios?: Record<MeshNet, RadioGateway>;
  private drains = new Map<QueueName, BridgeDrain>();
  private intake?: BridgeIntake;
  private stopController?: AbortController;
  private loops: Promise<void>[] = [];
  private unsubscribe: Array<() => void> = [];

  constructor(private readonly deps: BridgeDeps) {
    this.log = deps.log ?? createLogger('bridge');
    this.clock = deps.clock ?? systemClock;
    const now = () => this.clock.now();
    this.queue = new BridgeQueue(join(deps.dataDir, 'bridge'), deps.settings.queue.maxEntries, { store: 'bridge', onDamage: deps.onDamage, metrics: deps.metrics });
    this.echo = new EchoWindow(deps.settings.echoWindowMs, 4096, now);
    this.holdoff = new PeerHoldoff({ holdoffMs: deps.settings.peerHoldoffMs, memoryMs: deps.settings.echoWindowMs, ownShortId: deps.identity.shortId, now });
    this.counters = new BridgeMetrics(deps.metrics, (q) => this.queue.depth(q));
    this.deliveries = new DeliveryWaits({ vault: deps.vault, timeoutMs: deps.deliveryTimeoutMs ?? 120_000, log: this.log });
  }

  get running(): boolean {
    return this.stopController !== undefined;
  }

  /** Opens the queue, subscribes to the router, catches up on foreign bundles that arrived while it was down,
   * and starts the two drains. */
  async start(): Promise<void> {
    if (this.stopController) return;
    const radios = (this.radios = pickRadios(this.deps.bearers, this.deps.settings));
    await this.queue.start();
    const stop = (this.stopController = new AbortController());
    const snapshots = new RadioSnapshots({ radios, store: this.queue, mappings: this.deps.settings.mappings, log: this.log });
    for (const q of QUEUE_NAMES) this.drains.set(q, this.drainFor(q, radios, snapshots));
    const intake = (this.intake = new BridgeIntake({
      queue: this.queue, vault: this.deps.vault, identity: this.deps.identity, settings: this.deps.settings,
      radioNames: { mt: radios.mt.name, mc: radios.mc.name }, snapshots, echo: this.echo, holdoff: this.holdoff,
      counters: this.counters, events: this.events, clock: this.clock, log: this.log,
      made: (id) => this.made.has(id), running: () => !stop.signal.aborted, wake: (q) => this.drains.get(q)?.wake(),
    }));
    const ev = this.deps.router.events;
    this.unsubscribe.push(
      ev.on('received', (e) => {
        if (!e.created || !e.bearer) return; // only bundles wrapped from a foreign mesh
        intake.enqueue(e.id, e.bundle);
      }),
      // `to: 'inbox'` fires at store time for channel bundles (they are public); only a radio hop counts here.
      ev.on('delivered', (e) => e.to !== 'inbox' && this.deliveries.settle(e.id)),
      ev.on('dropped', (e) => e.id && this.deliveries.settle(e.id)),
    );
    for (const net of ['mt', 'mc'] as const) {
      this.unsubscribe.push(radios[net].on('peer', (p) => {
        if (!p.up) return;
        snapshots.view(net); // a radio (re)connected or learned a channel: check the mappings against it
        this.wakeAll();
      }));
      snapshots.view(net);
    }
    intake.catchUp();
    for (const [q, d] of this.drains) this.loops.push(d.run(stop.signal).catch((err) => this.log.warn('bridge drain failed', { direction: q, err: String(err) })));
  }

  async stop(): Promise<void> {
    const stop = this.stopController;
    if (!stop) return;
    stop.abort();
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.wakeAll();
    this.deliveries.releaseAll();
    await Promise.allSettled(this.loops);
    await this.intake?.idle();
    this.loops = [];
    this.drains.clear();
    await this.queue.stop();
    this.stopController = undefined;
  }

  status(): BridgeStatus {
    const radios = this.radios ?? pickRadios(this.deps.bearers, this.deps.settings);
    const mt = viewRadio('mt', radios.mt);
    const mc = viewRadio('mc', radios.mc);
    return {
      enabled: true,
      radios: { meshtastic: radios.mt.name, meshcore: radios.mc.name },
      mappings: this.deps.settings.mappings.map((m) => {
        const a = channelIndex(mt, m.meshtastic);
        const b = channelIndex(mc, m.meshcore);
        return { ...m, resolved: { ...(a !== undefined ? { meshtastic: a } : {}), ...(b !== undefined ? { meshcore: b } : {}) } };
      }),
      queues: { 'mt-to-mc': this.queue.isOpen ? this.queue.depth('mt-to-mc') : 0, 'mc-to-mt': this.queue.isOpen ? this.queue.depth('mc-to-mt') : 0 },
      bridged: { ...this.counters.counts.bridged },
      dropped: { ...this.counters.counts.dropped },
    };
  }

  /** Queue entries waiting (oldest first), for tests and `lattice status --verbose`. */
  pending(queue: QueueName): QueueEntry[] {
    return this.queue.isOpen ? this.queue.entries(queue) : [];
  }

  private drainFor(q: QueueName, radios: Record<MeshNet, RadioGateway>, snapshots: RadioSnapshots): BridgeDrain {
    const l = this.deps.settings.limits[LIMIT_KEY[q]];
    const net = TARGET_NET[q];
    const limiter = new SendLimiter({
      messagesPerMinute: l.messagesPerMinute,
      ...(l.burst !== undefined ? { burst: l.burst } : {}),
      airtimeMsPerHour: l.airtimeMsPerHour,
      airtimeOf: (bytes) => {
        // Only asked while the radio is up (the drain waits for it first): its live view, without the snapshot
        // bookkeeping.
        const v = snapshots.live(net);
        return airtimeMs(net, v.modulation, bytes, false, Buffer.byteLength(v.selfName ?? ''));
      },
    }, () => this.clock.now());
    return new BridgeDrain({
      queueName: q, net, queue: this.queue, radio: radios[net], limiter, holdoff: this.holdoff, deliveries: this.deliveries,
      send: (r) => this.deps.router.send(r), vault: this.deps.vault, counters: this.counters, events: this.events,
      clock: this.clock, log: this.log, pollMs: this.deps.pollMs ?? 1000,
      made: (id) => {
        this.made.add(id);
        if (this.made.size > MADE_MEMORY) this.made.delete(this.made.values().next().value!);
      },
    });
  }

  private wakeAll(): void {
    for (const d of this.drains.values()) d.wake();
  }
}
