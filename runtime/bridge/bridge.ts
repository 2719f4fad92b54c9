/**
 * Bridge: joins a Meshtastic mesh and a MeshCore mesh through the relay's two companion radios.
 *
 * It never touches radio frames. The gateways turn what their meshes say into foreign bundles (the router wraps
 * each in a relay-signed bundle with `origin`); the bridge listens to the router's `received` events for those,
 * decides (bridge-plan.ts) and queues text parts durably (bridge-queue.ts). One drain loop per direction hands the
 * parts in order to the router as NEW bundles signed by this relay, addressed to the other mesh's channel or node,
 * with the entry's fixed `sentAt`: a re-send after a crash yields the same bundle id, and the vault's put-if-absent
 * turns the copy into a duplicate, so every part goes out once. A drain waits for its radio (canReach), for the
 * direction's limits (messages per minute, airtime per hour on the receiving radio), and for the router to report
 * the part delivered to the radio before the next, so parts leave in order.
 *
 * `lattice trace` shows both ends: the source gets `bridged` (target and new bundle id), each new bundle
 * `bridged-from` (the source id); drops are traced on the source as `bridge-dropped` with the reason.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Bearer } from '../bearer/bearer.js';
import { decodeBundle } from '../bundle/bundle-codec.js';
import { bodyText, openBody } from '../bundle/create-bundle.js';
import type { BridgeConfig } from '../config/config.js';
import type { Identity } from '../identity/identity.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { OnDamage } from '../store/open-store.js';
import type { SendRequest } from '../node/relay-node.js';
import type { RouterEvents } from '../router/router-events.js';
import type { Vault } from '../vault/vault.js';
import { airtimeMs } from './airtime-estimate.js';
import { looksBridged, type MeshNet } from './attribution.js';
import { BridgeEvents } from './bridge-events.js';
import { BridgeMetrics } from './bridge-metrics.js';
import { planForeign, type ForeignSource, type PlannedEntry } from './bridge-plan.js';
import { BridgeQueue, QUEUE_NAMES, type QueueEntry, type QueueName } from './bridge-queue.js';
import { EchoWindow } from './echo-window.js';
import { BridgeDeliveryTimeoutError, BridgeRadioMissingError } from './errors.js';
import { channelIndex, viewRadio, type RadioView } from './radio-view.js';
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
  now?: () => number;
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
const OWN_MEMORY = 4096;
/** How long one heard copy of another bridge's output counts as "another bridge serves these meshes". */
const PEER_BRIDGE_MEMORY_MS = 3_600_000;

/** What the bridge remembers of a radio seen up. */
type RadioSnapshot = Pick<RadioView, 'channels' | 'nodes' | 'modulation' | 'selfAddress' | 'selfName'>;

export class Bridge {
  readonly events = new BridgeEvents();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly queue: BridgeQueue;
  private readonly echo: EchoWindow;
  private readonly counters: BridgeMetrics;
  private readonly limiters = new Map<QueueName, SendLimiter>();
  private readonly own = new Set<string>();
  private readonly wakers = new Map<QueueName, () => void>();
  private readonly waiting = new Map<string, (how: 'delivered' | 'dropped') => void>();
  private radios?: Record<MeshNet, Bearer>;
  private stopController?: AbortController;
  private chain: Promise<void> = Promise.resolve();
  /** Bridged text (another bridge's output) heard on each mesh lately, and when another bridge was last heard. */
  private readonly heardBridged: Record<MeshNet, EchoWindow>;
  private readonly peerBridgeAt: Partial<Record<MeshNet, number>> = {};
  /** Mappings already warned about as naming a channel their radio lacks (`net|channel`). */
  private readonly missingChannels = new Set<string>();
  /** JSON of the last snapshot saved per radio, so an unchanged view is not written again. */
  private readonly snapshots = new Map<MeshNet, string>();
  private drains: Promise<void>[] = [];
  private unsubscribe: Array<() => void> = [];

  constructor(private readonly deps: BridgeDeps) {
    this.log = deps.log ?? createLogger('bridge');
    this.now = deps.now ?? Date.now;
    this.queue = new BridgeQueue(join(deps.dataDir, 'bridge'), deps.settings.queue.maxEntries, { store: 'bridge', onDamage: deps.onDamage, metrics: deps.metrics });
    this.echo = new EchoWindow(deps.settings.echoWindowMs, 4096, this.now);
    this.heardBridged = { mt: new EchoWindow(deps.settings.echoWindowMs, 1024, this.now), mc: new EchoWindow(deps.settings.echoWindowMs, 1024, this.now) };
    this.counters = new BridgeMetrics(deps.metrics, (q) => this.queue.depth(q));
  }

  get running(): boolean {
    return this.stopController !== undefined;
  }

  /** Opens the queue, subscribes to the router, catches up on foreign bundles that arrived while it was down,
   * and starts the two drains. */
  async start(): Promise<void> {
    if (this.stopController) return;
    this.radios = { mt: this.pick('meshtastic', this.deps.settings.meshtastic), mc: this.pick('meshcore', this.deps.settings.meshcore) };
    await this.queue.start();
    const stop = (this.stopController = new AbortController());
    for (const q of QUEUE_NAMES) {
      const l = this.deps.settings.limits[LIMIT_KEY[q]];
      const net = TARGET_NET[q];
      this.limiters.set(q, new SendLimiter({
        messagesPerMinute: l.messagesPerMinute,
        ...(l.burst !== undefined ? { burst: l.burst } : {}),
        airtimeMsPerHour: l.airtimeMsPerHour,
        airtimeOf: (bytes) => {
          // Only asked while the radio is up (the drain waits for it first): its live view, without the snapshot
          // bookkeeping of view().
          const v = viewRadio(net, this.radios![net]);
          return airtimeMs(net, v.modulation, bytes, false, Buffer.byteLength(v.selfName ?? ''));
        },
      }, this.now));
    }
    const ev = this.deps.router.events;
    this.unsubscribe.push(
      ev.on('received', (e) => {
        if (!e.created || !e.bearer) return; // only bundles wrapped from a foreign mesh
        this.enqueueTake(e.id);
      }),
      // `to: 'inbox'` fires at store time for channel bundles (they are public); only a radio hop counts here.
      ev.on('delivered', (e) => e.to !== 'inbox' && this.waiting.get(e.id)?.('delivered')),
      ev.on('dropped', (e) => e.id && this.waiting.get(e.id)?.('dropped')),
    );
    for (const net of ['mt', 'mc'] as const) {
      this.unsubscribe.push(this.radios[net].on('peer', (p) => {
        if (!p.up) return;
        this.view(net); // a radio (re)connected or learned a channel: check the mappings against it
        this.wakeAll();
      }));
      this.view(net);
    }
    this.catchUp();
    for (const q of QUEUE_NAMES) this.drains.push(this.drain(q, stop.signal));
  }

  async stop(): Promise<void> {
    const stop = this.stopController;
    if (!stop) return;
    stop.abort();
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.wakeAll();
    for (const w of this.waiting.values()) w('dropped');
    await Promise.allSettled(this.drains);
    await this.chain.catch(() => undefined);
    this.drains = [];
    await this.queue.stop();
    this.stopController = undefined;
  }

  status(): BridgeStatus {
    const radios = this.radios ?? { mt: this.pick('meshtastic', this.deps.settings.meshtastic), mc: this.pick('meshcore', this.deps.settings.meshcore) };
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

  // ---- taking foreign bundles ----------------------------------------------------------------------------------

  private pick(kind: 'meshtastic' | 'meshcore', name: string | undefined): Bearer {
    const b = this.deps.bearers.find((x) => (name ? x.name === name : x.status().kind === kind));
    if (!b || b.status().kind !== kind) throw new BridgeRadioMissingError(kind, name);
    return b;
  }

  /**
   * The radio as it is now; while it is down (unplugged, rebooting, not yet reconnected after a restart) its gateway
   * reports no channels nor contacts, so the last view seen up stands in. Without it, text arriving during an unplug
   * would find no mapped channel and be dropped instead of queued for when the radio returns.
   */
  private view(net: MeshNet): RadioView {
    const v = viewRadio(net, this.radios![net]);
    const key = `view:${net}`;
    if (v.up && v.channels.length > 0) {
      const snap: RadioSnapshot = { channels: v.channels, nodes: v.nodes, modulation: v.modulation, ...(v.selfAddress ? { selfAddress: v.selfAddress } : {}), ...(v.selfName ? { selfName: v.selfName } : {}) };
      const json = JSON.stringify(snap);
      if (this.snapshots.get(net) !== json) {
        this.snapshots.set(net, json);
        this.checkMappings(net, v);
        if (this.queue.isOpen) void this.queue.setSnapshot(key, snap).catch((err) => this.log.warn('radio snapshot not saved', { net, err: String(err) }));
      }
      return v;
    }
    if (v.up) return v;
    const last = this.queue.isOpen ? this.queue.getSnapshot<RadioSnapshot>(key) : undefined;
    return last ? { ...v, ...last, up: false } : v;
  }

  /**
   * Warns once per mapping whose channel this radio does not have (a typo, or a hashtag channel not yet added on
   * the radio): its text would otherwise be ignored without a word. Said again if the channel disappears later.
   */
  private checkMappings(net: MeshNet, v: RadioView): void {
    for (const m of this.deps.settings.mappings) {
      const want = net === 'mt' ? m.meshtastic : m.meshcore;
      const key = `${net}|${String(want)}`;
      const index = channelIndex(v, want);
      if (index !== undefined && v.channels.some((c) => c.index === index)) {
        this.missingChannels.delete(key);
        continue;
      }
      if (this.missingChannels.has(key)) continue;
      this.missingChannels.add(key);
      this.log.warn('bridge mapping names a channel this radio does not have; nothing is bridged on it until it exists', {
        radio: v.bearer.name, channel: want, channels: v.channels.map((c) => `${c.index}:${c.name || '(unnamed)'}`).join(', '),
      });
    }
  }

  private enqueueTake(idHex: string): void {
    // One at a time, in arrival order: queue sequence numbers follow the order the meshes spoke.
    this.chain = this.chain.then(() => this.take(idHex)).catch((err) => this.log.warn('bridge could not take a bundle', { id: idHex, err: String(err) }));
  }

  /** Foreign bundles stored since the last one the bridge saw (a crash between the router storing one and the
   * bridge queueing it), within the echo window. */
  private catchUp(): void {
    const mark = this.queue.getMeta('lastTakenAt');
    if (mark === undefined) return;
    const since = Math.max(mark, this.now() - this.deps.settings.echoWindowMs);
    const ids = this.deps.vault.inboxIds({ since, limit: 1000 }).reverse();
    for (const { id } of ids) {
      const row = this.deps.vault.get(id);
      if (row?.created && row.bearer) this.enqueueTake(Buffer.from(id).toString('hex'));
    }
  }

  private async take(idHex: string): Promise<void> {
    const stop = this.stopController;
    if (!stop || stop.signal.aborted || !this.deps.vault.isOpen) return;
    if (this.queue.handled(idHex)) return;
    const id = Buffer.from(idHex, 'hex');
    const row = this.deps.vault.get(id);
    if (!row || row.expired || !row.created || !row.bearer) return;
    const net: MeshNet | undefined = row.bearer === this.radios!.mt.name ? 'mt' : row.bearer === this.radios!.mc.name ? 'mc' : undefined;
    if (!net) return; // another gateway than the bridge's radios
    const b = decodeBundle(row.bytes);
    if (!b.origin) return;
    const direction: QueueName = net === 'mt' ? 'mt-to-mc' : 'mc-to-mt';
    let text: string;
    try {
      text = bodyText(openBody(this.deps.identity, b));
    } catch {
      return this.dropped(id, idHex, direction, 'unreadable');
    }
    const to = typeof b.recipient === 'string' ? b.recipient : undefined;
    const src: ForeignSource = {
      id: idHex, net, originId: b.origin.id, ...(b.origin.name ? { originName: b.origin.name } : {}), text, custody: b.custody, sentAt: b.sentAt,
      ...(to && /^(mt|mc):ch:\d+$/.test(to) ? { channel: to } : {}),
    };
    if (src.channel === undefined && to !== undefined) return; // foreign text to another foreign address: not ours
    const now = this.now();
    if (src.channel !== undefined && looksBridged(text, [this.deps.settings.attribution.mt, this.deps.settings.attribution.mc])) {
      // Another bridge speaks on this mesh (our own radio never hears itself): remember what it sent, so a part of
      // ours with the same words still waiting in its holdoff is not sent twice.
      this.heardBridged[net].remember(text);
      this.peerBridgeAt[net] = now;
      this.wakers.get(net === 'mt' ? 'mc-to-mt' : 'mt-to-mc')?.();
    }
    const plan = planForeign(src, {
      settings: this.deps.settings, views: { mt: this.view('mt'), mc: this.view('mc') }, echo: this.echo,
      ownShortId: this.deps.identity.shortId, own: (x) => this.own.has(x), now,
    });
    if ('drop' in plan) {
      if (plan.drop !== 'unmapped' && plan.drop !== 'not-addressed' && plan.drop !== 'dm-disabled') {
        this.log.info('not bridged', { id: idHex, reason: plan.drop, detail: plan.detail });
      }
      await this.dropped(id, idHex, direction, plan.drop, plan.detail, plan.reply);
      return;
    }
    await this.queueEntries(id, idHex, direction, plan.entries, src);
    if (src.channel !== undefined) {
      // Remember the words (without names, tags and part markers), so they are recognised when they come back on
      // either mesh: a repeater or bot echo on the other mesh, or another relay re-sending them on this one.
      this.echo.remember(text);
    }
  }

  private async queueEntries(id: Uint8Array, idHex: string, direction: QueueName, entries: PlannedEntry[], src?: ForeignSource): Promise<void> {
    const at = this.now();
    const { shed } = await this.queue.add(idHex, at, entries);
    // Only narrows the next start's catch-up scan: a failed write (full disk) costs a longer scan, nothing more.
    void this.queue.setMeta('lastTakenAt', at).catch(() => undefined);
    const targets = [...new Set(entries.map((e) => e.target))];
    this.deps.vault.trace(id, { at, event: 'bridge-queued', peer: targets.join(','), detail: `${entries.length} part(s)` });
    this.events.emit('queued', {
      sourceId: idHex, direction, from: src?.originId ?? '', ...(src?.originName ? { fromName: src.originName } : {}), targets, parts: entries.length, shed: shed.length,
    });
    for (const s of shed) {
      const d: QueueName = s.target.startsWith('mc:') ? 'mt-to-mc' : 'mc-to-mt';
      this.counters.drop(d, 'limit');
      this.events.emit('dropped', { sourceId: s.source, direction: d, reason: 'limit', detail: `part ${s.part}/${s.parts} to ${s.target} shed` });
      this.deps.vault.trace(Buffer.from(s.source, 'hex'), { at, event: 'bridge-dropped', peer: s.target, detail: `limit: queue over ${this.deps.settings.queue.maxEntries} entries, part ${s.part}/${s.parts} shed` });
    }
    if (shed.length) this.log.warn('bridge queue full: oldest broadcast parts shed', { direction, shed: shed.length });
    for (const q of new Set(entries.map((e) => e.queue))) this.wakers.get(q)?.();
  }

  private async dropped(id: Uint8Array, idHex: string, direction: QueueName, reason: string, detail?: string, reply?: PlannedEntry[]): Promise<void> {
    const counted = !['unmapped', 'not-addressed', 'dm-disabled'].includes(reason);
    if (counted) {
      this.counters.drop(direction, reason);
      this.events.emit('dropped', { sourceId: idHex, direction, reason, ...(detail ? { detail } : {}) });
      this.deps.vault.trace(id, { at: this.now(), event: 'bridge-dropped', detail: detail ? `${reason}: ${detail}` : reason });
    }
    if (reply && reply.length) await this.queueEntries(id, idHex, direction, reply);
    else await this.queue.markHandled(idHex, this.now());
  }

  // ---- draining --------------------------------------------------------------------------------------------------

  private wakeAll(): void {
    for (const w of this.wakers.values()) w();
  }

  /** Resolves after `ms`, on a wake-up of this queue, or at stop. */
  private pause(q: QueueName, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        if (this.wakers.get(q) === done) this.wakers.delete(q);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.wakers.set(q, done);
    });
  }

  private async drain(q: QueueName, signal: AbortSignal): Promise<void> {
    const poll = this.deps.pollMs ?? 1000;
    const net = TARGET_NET[q];
    const limiter = this.limiters.get(q)!;
    while (!signal.aborted) {
      let head: QueueEntry | undefined;
      try {
        head = this.queue.head(q);
      } catch {
        return;
      }
      if (!head) {
        await this.pause(q, 60_000, signal);
        continue;
      }
      if (!this.radios![net].canReach(head.target)) {
        await this.pause(q, poll, signal);
        continue;
      }
      if (head.kind === 'broadcast' && this.peerBridgeHeard(net)) {
        if (this.heardBridged[net].has(head.text)) {
          await this.skipDuplicate(q, head);
          continue;
        }
        const hold = head.sentAt + this.holdoffMs(head) - this.now();
        if (hold > 0) {
          await this.pause(q, hold, signal);
          continue;
        }
      }
      const bytes = Buffer.byteLength(head.text);
      const wait = limiter.waitFor(bytes);
      if (wait > 0) {
        await this.sleep(wait, signal);
        continue;
      }
      this.queue.setInFlight(q, head.seq);
      try {
        await this.sendEntry(q, head, signal);
        limiter.take(bytes);
        await this.queue.remove(q, head.seq);
      } catch (err) {
        if (signal.aborted) return;
        this.log.warn('bridged part not sent; retrying', { direction: q, target: head.target, err: String(err) });
        await this.pause(q, poll, signal);
      } finally {
        this.queue.setInFlight(q, undefined);
      }
    }
  }

  /** Whether another bridge was heard on `net` within the last hour (its attributed channel text). */
  private peerBridgeHeard(net: MeshNet): boolean {
    const at = this.peerBridgeAt[net];
    return this.deps.settings.peerHoldoffMs > 0 && at !== undefined && this.now() - at < PEER_BRIDGE_MEMORY_MS;
  }

  /**
   * How long a channel part waits after it was queued while another bridge serves the same meshes: a share of
   * peerHoldoffMs in [1/4, 1), fixed per relay and part (a hash of our id and the part), so two bridges that took the
   * same text usually pick different moments and the later one hears the earlier one's copy and drops its own.
   */
  private holdoffMs(e: QueueEntry): number {
    const h = createHash('sha256').update(`${this.deps.identity.shortId}|${e.source}|${e.part}`).digest();
    return Math.floor(this.deps.settings.peerHoldoffMs * (0.25 + 0.75 * (h.readUInt32BE(0) / 2 ** 32)));
  }

  private async skipDuplicate(q: QueueName, e: QueueEntry): Promise<void> {
    await this.queue.remove(q, e.seq);
    this.counters.drop(q, 'duplicate');
    this.events.emit('dropped', { sourceId: e.source, direction: q, reason: 'duplicate', detail: `part ${e.part}/${e.parts} to ${e.target}: another bridge sent it first` });
    this.deps.vault.trace(Buffer.from(e.source, 'hex'), { at: this.now(), event: 'bridge-dropped', peer: e.target, detail: `duplicate: another bridge sent part ${e.part}/${e.parts} first` });
    this.log.info('another bridge sent it first; not sending ours', { direction: q, target: e.target, part: `${e.part}/${e.parts}`, source: e.source });
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private async sendEntry(q: QueueName, e: QueueEntry, signal: AbortSignal): Promise<void> {
    const { bundleId } = await this.deps.router.send({ to: e.target, text: e.text, sentAt: e.sentAt });
    this.own.add(bundleId);
    if (this.own.size > OWN_MEMORY) this.own.delete(this.own.values().next().value!);
    const at = this.now();
    const source = Buffer.from(e.source, 'hex');
    this.deps.vault.trace(source, { at, event: 'bridged', peer: e.target, detail: `part ${e.part}/${e.parts} as ${bundleId}` });
    this.deps.vault.trace(Buffer.from(bundleId, 'hex'), { at, event: 'bridged-from', detail: e.source });
    await this.delivered(bundleId, signal);
    this.counters.bridged(q);
    this.log.info('bridged', { direction: q, target: e.target, part: `${e.part}/${e.parts}`, text: e.text.length > 80 ? `${[...e.text].slice(0, 79).join('')}…` : e.text, id: bundleId, source: e.source });
    this.events.emit('bridged', { sourceId: e.source, direction: q, target: e.target, text: e.text, bundleId, part: e.part, parts: e.parts });
  }

  /** Waits until the router has handed the bundle to its radio (or dropped it), so parts leave in order. */
  private async delivered(bundleId: string, signal: AbortSignal): Promise<void> {
    const ms = this.deps.deliveryTimeoutMs ?? 120_000;
    await new Promise<void>((resolve, reject) => {
      const finish = (err?: Error) => {
        clearTimeout(t);
        signal.removeEventListener('abort', onAbort);
        this.waiting.delete(bundleId);
        if (err) reject(err);
        else resolve();
      };
      const onAbort = () => finish(new BridgeDeliveryTimeoutError(bundleId, 0));
      const t = setTimeout(() => finish(new BridgeDeliveryTimeoutError(bundleId, ms)), ms);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(bundleId, () => finish());
      // Already done (a re-send after a restart finds the bundle stored and sent).
      const row = this.deps.vault.outbox(Buffer.from(bundleId, 'hex'));
      if (row && row.targets.length > 0 && row.targets.every((x) => x.state !== 'queued')) finish();
    }).catch((err: Error) => {
      // Timed out: the router keeps the bundle queued and retries it; the entry is done as far as the bridge goes.
      if (err.name === 'BridgeDeliveryTimeoutError' && !signal.aborted) {
        this.log.warn('bridged part not yet taken by its radio; the router keeps retrying it', { bundleId });
        return;
      }
      throw err;
    });
  }
}
