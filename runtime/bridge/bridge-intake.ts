/**
 * Taking foreign bundles: the gateways turn what their meshes say into bundles (the router wraps each in a
 * relay-signed bundle with `origin`); for each one stored, the intake decides (bridge-plan.ts) and queues its text
 * parts durably (bridge-queue.ts), or counts and traces why not. One at a time, in arrival order, so queue sequence
 * numbers follow the order the meshes spoke. At start it catches up on foreign bundles stored while it was not
 * listening (a crash between the router storing one and the bridge queueing it), within the echo window.
 */
import type { Clock } from '../../lib/clock/clock.js';
import type { Bundle } from '../bundle/bundle.js';
import { decodeBundle } from '../bundle/bundle-codec.js';
import { bodyText, openBody } from '../bundle/create-bundle.js';
import type { BridgeConfig } from '../config/config.js';
import type { Identity } from '../identity/identity.js';
import type { Logger } from '../log/logger.js';
import type { Vault } from '../vault/vault.js';
import { looksBridged, type MeshNet } from './attribution.js';
import type { BridgeEvents } from './bridge-events.js';
import type { BridgeMetrics } from './bridge-metrics.js';
import { planForeign, type ForeignSource, type PlannedEntry } from './bridge-plan.js';
import type { BridgeQueue, QueueName } from './bridge-queue.js';
import type { EchoWindow } from './echo-window.js';
import type { PeerHoldoff } from './peer-holdoff.js';
import type { RadioSnapshots } from './radio-snapshots.js';

/** Reasons that are not worth a count, a trace or a log line: the text was simply not for the bridge. */
const QUIET = new Set(['unmapped', 'not-addressed', 'dm-disabled']);

export interface IntakeInit {
  queue: BridgeQueue;
  vault: Pick<Vault, 'get' | 'trace' | 'inboxIds' | 'isOpen'>;
  identity: Identity;
  settings: BridgeConfig;
  /** Bearer names of the two radios: a foreign bundle from another gateway is not the bridge's. */
  radioNames: Record<MeshNet, string>;
  snapshots: RadioSnapshots;
  echo: EchoWindow;
  holdoff: PeerHoldoff;
  counters: BridgeMetrics;
  events: BridgeEvents;
  clock: Clock;
  log: Logger;
  /** Whether the bridge made this bundle. */
  made(bundleId: string): boolean;
  /** Whether the bridge still runs. */
  running(): boolean;
  /** New entries in `queue`, or another bridge heard on the mesh `queue` sends to. */
  wake(queue: QueueName): void;
}

export class BridgeIntake {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly init: IntakeInit) {}

  /** A foreign bundle was stored; `bundle` is the decoded bundle when the caller has it (the router's event). */
  enqueue(idHex: string, bundle?: Bundle): void {
    this.chain = this.chain.then(() => this.take(idHex, bundle)).catch((err) => this.init.log.warn('bridge could not take a bundle', { id: idHex, err: String(err) }));
  }

  /** Resolves once every bundle enqueued so far was taken (stop). */
  idle(): Promise<void> {
    return this.chain.catch(() => undefined);
  }

  catchUp(): void {
    const { queue, vault, clock, settings } = this.init;
    // In the vault's receive times; the last bundle taken comes again and is skipped as handled.
    const mark = queue.getMeta('lastTakenAt');
    if (mark === undefined) return;
    const since = Math.max(mark, clock.now() - settings.echoWindowMs);
    const ids = vault.inboxIds({ since, limit: 1000 }).reverse();
    for (const { id } of ids) {
      const row = vault.get(id);
      if (row?.created && row.bearer) this.enqueue(Buffer.from(id).toString('hex'));
    }
  }

  private async take(idHex: string, given?: Bundle): Promise<void> {
    const { queue, vault, identity, settings } = this.init;
    if (!this.init.running() || !vault.isOpen) return;
    if (queue.handled(idHex)) return;
    const id = Buffer.from(idHex, 'hex');
    const row = vault.get(id);
    if (!row || row.expired || !row.created || !row.bearer) return;
    const net: MeshNet | undefined = row.bearer === this.init.radioNames.mt ? 'mt' : row.bearer === this.init.radioNames.mc ? 'mc' : undefined;
    if (!net) return; // another gateway than the bridge's radios
    // The router's decoded bundle when it handed one over (the same bytes it just stored), else decoded here.
    const b = given ?? decodeBundle(row.bytes);
    if (!b.origin) return;
    const direction: QueueName = net === 'mt' ? 'mt-to-mc' : 'mc-to-mt';
    let text: string;
    try {
      text = bodyText(openBody(identity, b));
    } catch {
      return this.dropped(id, idHex, direction, row.receivedAt, 'unreadable');
    }
    const to = typeof b.recipient === 'string' ? b.recipient : undefined;
    const src: ForeignSource = {
      id: idHex, net, originId: b.origin.id, ...(b.origin.name ? { originName: b.origin.name } : {}), text, custody: b.custody, sentAt: b.sentAt,
      ...(to && /^(mt|mc):ch:\d+$/.test(to) ? { channel: to } : {}),
    };
    if (src.channel === undefined && to !== undefined) return; // foreign text to another foreign address: not ours
    const now = this.init.clock.now();
    if (src.channel !== undefined && looksBridged(text, [settings.attribution.mt, settings.attribution.mc])) {
      // Another bridge speaks on this mesh (our own radio never hears itself): remember what it sent, so a part of
      // ours with the same words still waiting in its hold-off is not sent twice.
      this.init.holdoff.heard(net, text);
      this.init.wake(net === 'mt' ? 'mc-to-mt' : 'mt-to-mc');
    }
    const { snapshots } = this.init;
    const plan = planForeign(src, {
      settings, views: { mt: snapshots.view('mt'), mc: snapshots.view('mc') }, echo: this.init.echo,
      ownShortId: identity.shortId, own: (x) => this.init.made(x), now,
    });
    if ('drop' in plan) {
      if (!QUIET.has(plan.drop)) this.init.log.info('not bridged', { id: idHex, reason: plan.drop, detail: plan.detail });
      await this.dropped(id, idHex, direction, row.receivedAt, plan.drop, plan.detail, plan.reply);
      return;
    }
    await this.queueEntries(id, idHex, direction, row.receivedAt, plan.entries, src);
    if (src.channel !== undefined) {
      // Remember the words (without names, tags and part markers), so they are recognised when they come back on
      // either mesh: a repeater or bot echo on the other mesh, or another relay re-sending them on this one.
      this.init.echo.remember(text);
    }
  }

  /** `receivedAt`: when the vault stored the source (its clock), where the next start's catch-up looks from. */
  private async queueEntries(id: Uint8Array, idHex: string, direction: QueueName, receivedAt: number, entries: PlannedEntry[], src?: ForeignSource): Promise<void> {
    const { queue, vault, counters, events } = this.init;
    const at = this.init.clock.now();
    const { shed } = await queue.add(idHex, at, entries, receivedAt);
    const targets = [...new Set(entries.map((e) => e.target))];
    vault.trace(id, { at, event: 'bridge-queued', peer: targets.join(','), detail: `${entries.length} part(s)` });
    events.emit('queued', {
      sourceId: idHex, direction, from: src?.originId ?? '', ...(src?.originName ? { fromName: src.originName } : {}), targets, parts: entries.length, shed: shed.length,
    });
    for (const s of shed) {
      const d: QueueName = s.target.startsWith('mc:') ? 'mt-to-mc' : 'mc-to-mt';
      counters.drop(d, 'limit');
      events.emit('dropped', { sourceId: s.source, direction: d, reason: 'limit', detail: `part ${s.part}/${s.parts} to ${s.target} shed` });
      vault.trace(Buffer.from(s.source, 'hex'), { at, event: 'bridge-dropped', peer: s.target, detail: `limit: queue over ${this.init.settings.queue.maxEntries} entries, part ${s.part}/${s.parts} shed` });
    }
    if (shed.length) this.init.log.warn('bridge queue full: oldest broadcast parts shed', { direction, shed: shed.length });
    for (const q of new Set(entries.map((e) => e.queue))) this.init.wake(q);
  }

  private async dropped(id: Uint8Array, idHex: string, direction: QueueName, receivedAt: number, reason: string, detail?: string, reply?: PlannedEntry[]): Promise<void> {
    if (!QUIET.has(reason)) {
      this.init.counters.drop(direction, reason);
      this.init.events.emit('dropped', { sourceId: idHex, direction, reason, ...(detail ? { detail } : {}) });
      this.init.vault.trace(id, { at: this.init.clock.now(), event: 'bridge-dropped', detail: detail ? `${reason}: ${detail}` : reason });
    }
    if (reply && reply.length) await this.queueEntries(id, idHex, direction, receivedAt, reply);
    else await this.init.queue.markHandled(idHex, this.init.clock.now());
  }
}
