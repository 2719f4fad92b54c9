/**
 * What the bridge does with one foreign bundle, as a pure decision: drop it (with the reason counted under
 * `lattice_bridge_drops_total`), or queue text parts for the other mesh, and/or queue a reply to the sender.
 *
 * Loop rules (all counted as `loop`): the bundle was made by the bridge; it came from our own radio; our short id is
 * in its custody chain; its content is in the echo window (we bridged the same words lately); it already carries a
 * bridge attribution (another bridge's output, `skipBridgedText`).
 */
import { MAX_TEXT_LEN } from '../../firmware-protocol/meshcore/codes.js';
import { maxPayloadBytes } from '../../firmware-protocol/meshtastic/payload-limits.js';
import type { BridgeConfig } from '../config/config.js';
import { parseAddressed, resolveTarget } from './addressing.js';
import { attributionPrefix, looksBridged, type MeshNet } from './attribution.js';
import type { NewEntry, QueueName } from './bridge-queue.js';
import type { EchoWindow } from './echo-window.js';
import { channelIndex, type RadioView } from './radio-view.js';
import { TextTooLongError } from '../../lib/errors.js';
import { splitText } from '../../lib/text/split-text.js';

export interface ForeignSource {
  id: string;
  /** Mesh it came from. */
  net: MeshNet;
  /** `mt:ch:0` / `mc:ch:0` for channel traffic; undefined for a DM to our radio. */
  channel?: string;
  originId: string;
  originName?: string;
  text: string;
  custody: string[];
  sentAt: number;
}

export type Plan =
  | { drop: string; detail?: string; reply?: PlannedEntry[] }
  | { entries: PlannedEntry[] };

export type PlannedEntry = NewEntry & { queue: QueueName };

export interface PlanContext {
  settings: BridgeConfig;
  views: Record<MeshNet, RadioView>;
  echo: EchoWindow;
  ownShortId: string;
  /** Bundle ids the bridge created. */
  own: (id: string) => boolean;
  now: number;
}

const OTHER: Record<MeshNet, MeshNet> = { mt: 'mc', mc: 'mt' };
const QUEUE_TO: Record<MeshNet, QueueName> = { mc: 'mt-to-mc', mt: 'mc-to-mt' };

/** Largest text (UTF-8 bytes) one message on `net` may carry from our radio. */
export function maxTextBytes(net: MeshNet, dm: boolean, view: RadioView): number {
  if (net === 'mt') return maxPayloadBytes(dm);
  // MeshCore prepends "<our name>: " to channel texts and cuts the whole at MAX_TEXT_LEN (BaseChatMesh::sendGroupMessage).
  return dm ? MAX_TEXT_LEN : MAX_TEXT_LEN - Buffer.byteLength(`${view.selfName ?? ''}: `);
}

export function planForeign(src: ForeignSource, ctx: PlanContext): Plan {
  const { settings, views } = ctx;
  const from = views[src.net];
  const to = views[OTHER[src.net]];
  if (ctx.own(src.id)) return { drop: 'loop', detail: 'created by the bridge' };
  if (from.selfAddress && src.originId === from.selfAddress) return { drop: 'loop', detail: 'from our own radio' };
  if (src.custody.includes(ctx.ownShortId)) return { drop: 'loop', detail: 'our id is in the custody chain' };
  if (src.channel !== undefined) return planChannel(src, ctx, from, to);
  return planDm(src, ctx, from, to);
}

function planChannel(src: ForeignSource, ctx: PlanContext, from: RadioView, to: RadioView): Plan {
  const { settings } = ctx;
  // MeshCore channel texts carry no sender identity: our own radio's name is the only sign it was us.
  if (src.net === 'mc' && from.selfName && src.originName === from.selfName) return { drop: 'loop', detail: 'our own radio name' };
  const idx = Number(src.channel!.split(':')[2]);
  const targets: number[] = [];
  for (const m of settings.mappings) {
    const allowed = m.direction === 'both' || m.direction === (src.net === 'mt' ? 'mt-to-mc' : 'mc-to-mt');
    if (!allowed) continue;
    const here = channelIndex(from, src.net === 'mt' ? m.meshtastic : m.meshcore);
    if (here !== idx) continue;
    const there = channelIndex(to, src.net === 'mt' ? m.meshcore : m.meshtastic);
    if (there !== undefined && !targets.includes(there)) targets.push(there);
  }
  if (targets.length === 0) return { drop: 'unmapped' };
  if (settings.skipBridgedText && looksBridged(src.text, [settings.attribution.mt, settings.attribution.mc])) {
    return { drop: 'loop', detail: 'already carries a bridge attribution' };
  }
  if (ctx.echo.has(src.text)) return { drop: 'loop', detail: 'bridged lately (echo window)' };
  const prefix = attributionPrefix(settings.attribution[src.net], { ...(src.originName ? { name: src.originName } : {}), id: src.originId });
  const entries: PlannedEntry[] = [];
  for (const t of targets) {
    let parts: string[];
    try {
      parts = splitText(src.text, { maxBytes: maxTextBytes(to.net, false, to), prefix });
    } catch (err) {
      if (err instanceof TextTooLongError) return { drop: 'too-long', detail: err.message };
      throw err;
    }
    parts.forEach((text, i) => entries.push({
      queue: QUEUE_TO[to.net], source: src.id, target: `${to.net}:ch:${t}`, text, sentAt: ctx.now + i, kind: 'broadcast', part: i + 1, parts: parts.length,
    }));
  }
  return { entries };
}

function reply(src: ForeignSource, ctx: PlanContext, text: string): PlannedEntry[] {
  const from = ctx.views[src.net];
  const parts = splitText(text, { maxBytes: maxTextBytes(src.net, true, from), maxParts: 2 });
  return parts.map((t, i) => ({
    queue: QUEUE_TO[src.net], source: src.id, target: src.originId, text: t, sentAt: ctx.now + i, kind: 'dm', part: i + 1, parts: parts.length,
  }));
}

function planDm(src: ForeignSource, ctx: PlanContext, from: RadioView, to: RadioView): Plan {
  const { settings } = ctx;
  if (!settings.dm.enabled) return { drop: 'dm-disabled' };
  const names = [...from.nodes, ...to.nodes].map((n) => n.name ?? '').filter(Boolean);
  const addressed = parseAddressed(src.text, names);
  if (!addressed) return { drop: 'not-addressed' };
  if (addressed.net === src.net) {
    return { drop: 'wrong-mesh', reply: reply(src, ctx, `bridge: @${src.net.toUpperCase()}: addresses your own mesh; use @${to.net.toUpperCase()}:name to reach the other one`) };
  }
  if (addressed.text === '') return { drop: 'empty', reply: reply(src, ctx, `bridge: nothing to send after @${to.net.toUpperCase()}:${addressed.target}`) };
  const res = resolveTarget(to.net, addressed.target, to.nodes.filter((n) => n.address !== to.selfAddress));
  if (!res.ok) {
    const reason = res.reason === 'no-key' ? 'no-key' : `${res.reason}-name`;
    return { drop: reason, detail: addressed.target, reply: reply(src, ctx, res.reply) };
  }
  const prefix = attributionPrefix(settings.attribution[src.net], { ...(src.originName ? { name: src.originName } : {}), id: src.originId });
  let parts: string[];
  try {
    parts = splitText(addressed.text, { maxBytes: maxTextBytes(to.net, true, to), prefix });
  } catch (err) {
    if (err instanceof TextTooLongError) return { drop: 'too-long', detail: err.message, reply: reply(src, ctx, `bridge: message too long for ${to.net === 'mc' ? 'MeshCore' : 'Meshtastic'} (${err.maxParts} parts at most)`) };
    throw err;
  }
  return {
    entries: parts.map((text, i) => ({
      queue: QUEUE_TO[to.net], source: src.id, target: res.node.address, text, sentAt: ctx.now + i, kind: 'dm', part: i + 1, parts: parts.length,
    })),
  };
}
