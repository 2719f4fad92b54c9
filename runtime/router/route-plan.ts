/**
 * Route decisions: pure functions of the bundle, where it came from and what the bearers can reach now.
 *
 * - for this node: inbox, not forwarded; broadcast: inbox AND forwarded;
 * - another Lattice node or a foreign address: the outbox gets one placeholder target (the recipient itself, `*`
 *   for broadcast). At dispatch the placeholder goes straight to the recipient on every bearer that canReach() it,
 *   else it is replaced by the flood set: neighbour relays not in the custody chain, not the sender, not the link
 *   it came from. With no neighbour at all it stays queued (store-and-forward) until a peer comes up.
 * - a relayed bundle that already has MAX_HOPS custody entries is never forwarded (it could not take ours).
 */
import { BROADCAST, type Bearer } from '../bearer/bearer.js';
import { MAX_HOPS, type Bundle } from '../bundle/bundle.js';
import { hex } from '../vault/vault-keys.js';

export const NODE_ID_HEX = /^[0-9a-f]{64}$/;

/** The recipient as an outbox peer: node id hex, `*` for broadcast, or the foreign address. */
export function recipientKey(b: Bundle): string {
  if (b.recipient === null) return BROADCAST;
  if (typeof b.recipient === 'string') return b.recipient;
  return hex(b.recipient);
}

export interface RoutePlan {
  inbox: boolean;
  /** Initial outbox targets (queued); empty when nothing is forwarded. */
  targets: string[];
  /** Why it is not forwarded although it would be (counted as a drop). */
  notForwarded?: 'hop-limit';
}

export function planRoute(b: Bundle, self: { nodeIdHex: string }, created: boolean): RoutePlan {
  const to = recipientKey(b);
  const forMe = to === self.nodeIdHex;
  // Foreign channel traffic (mt:ch:0) is public like a broadcast: it shows in the inbox and is still carried on.
  const inbox = forMe || to === BROADCAST || /^(mt|mc):ch:/.test(to);
  if (forMe) return { inbox, targets: [] };
  if (!created && b.hops >= MAX_HOPS) return { inbox, targets: [], notForwarded: 'hop-limit' };
  // No delivery-bloom listing here: a bloom may retire only what was handed off (router.ts awaitBloom).
  return { inbox, targets: [to] };
}

export interface FloodContext {
  nodeIdHex: string;
  bearers: readonly Bearer[];
  shortIdOf(nodeIdHex: string): string;
}

/** Neighbour relays that may take a flooded copy. */
export function floodPeers(b: Bundle, ctx: FloodContext, from: string | undefined): string[] {
  const custody = new Set(b.custody);
  const sender = hex(b.sender);
  const out = new Set<string>();
  for (const bearer of ctx.bearers) {
    const st = bearer.status();
    if (st.state !== 'up') continue;
    for (const p of st.peers) {
      if (!NODE_ID_HEX.test(p) || p === ctx.nodeIdHex || p === sender || p === from) continue;
      if (custody.has(ctx.shortIdOf(p))) continue;
      out.add(p);
    }
  }
  return [...out];
}

/** Bearers that can take a frame for `peer` now, never the gateway a foreign message came in on. */
export function bearersFor(peer: string, bearers: readonly Bearer[], exclude?: string): Bearer[] {
  if (peer === BROADCAST) return [];
  return bearers.filter((x) => x.name !== exclude && x.canReach(peer));
}
