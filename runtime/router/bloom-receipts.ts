/**
 * Delivery blooms received: they retire the outbox rows they prove delivered (bloom-retirement.ts: handed off, then
 * carried by BLOOM_RUN salted blooms of the node in a row), and travel back along the custody path: a relay with
 * bundles waiting for a node's blooms passes every bloom of that node (signed, unchanged; hit or miss, so what
 * reaches upstream does not depend on content) on to the neighbours it got those bundles from, so the sender learns
 * of delivery however many hops away it is. Blooms of a node nothing here waits for stop here, so they do not flood
 * the mesh.
 */
import { decodeBundle } from '../bundle/bundle-codec.js';
import { hex } from '../vault/vault-keys.js';
import { encodeFrame } from '../wire/frame-codec.js';
import type { BloomExchange } from './bloom-exchange.js';
import { judgeBloom } from './bloom-retirement.js';
import type { PeerDirectory } from './peer-directory.js';
import type { RouterContext } from './router-context.js';
import { bearersFor, NODE_ID_HEX, recipientKey } from './route-plan.js';
import { sendDeadline } from './send-deadline.js';

export class BloomReceipts {
  constructor(
    private readonly ctx: RouterContext,
    private readonly exchange: BloomExchange,
    private readonly peers: PeerDirectory,
  ) {}

  /** Lists a handed-off bundle under `node`'s delivery bloom (a node id; foreign addresses and `*` have none). */
  awaitBloom(node: string, id: Uint8Array): void {
    if (NODE_ID_HEX.test(node)) this.ctx.vault.addAwaiting(Buffer.from(node, 'hex'), id);
  }

  /** A bloom frame's payload, from `from` (the link-level sender, when known) on `bearer`. */
  receive(payload: Uint8Array, bearer: string, from?: string): void {
    const { vault, counters } = this.ctx;
    const got = this.exchange.receive(payload);
    if ('reason' in got) {
      this.ctx.drop(got.reason, { bearer });
      return;
    }
    counters.bloomReceived();
    const node = got.nodeIdHex;
    if (from === node) this.peers.seen(node, bearer);
    const now = this.ctx.now();
    const verdict = judgeBloom(vault, got);
    const upstream = new Set<string>();
    for (const id of verdict.waiting) {
      const stored = vault.get(id);
      if (stored && !stored.created && stored.from && NODE_ID_HEX.test(stored.from) && stored.from !== node && stored.from !== from) upstream.add(stored.from);
    }
    for (const id of verdict.confirmed) {
      const row = vault.outbox(id);
      const stored = vault.get(id);
      if (!row || !stored || stored.expired) {
        vault.removeAwaiting(got.nodeId, id);
        continue;
      }
      const forRecipient = recipientKey(decodeBundle(stored.bytes)) === node;
      // Lingering only helps a relay pass the node's next blooms upstream; a node that is not the recipient (a
      // neighbour that took a broadcast copy) or a bundle made here has nobody to pass them to.
      if (!forRecipient || stored.created) vault.removeAwaiting(got.nodeId, id);
      // Defence in depth (and vaults written before the fix listed bundles at ingest): only a hand-off can be
      // retired. An accepted target, or one delivered by a send, is one.
      if (!row.targets.some((t) => t.state === 'accepted' || (t.state === 'delivered' && t.tries > 0))) {
        vault.removeAwaiting(got.nodeId, id);
        this.ctx.drop('bloom-before-send', { id: hex(id), bearer, from: node });
        continue;
      }
      let changed = false;
      const targets = row.targets.map((t) => {
        if ((t.state === 'queued' || t.state === 'accepted') && (forRecipient || t.peer === node)) {
          changed = true;
          return { ...t, state: 'delivered' as const, at: now };
        }
        return t;
      });
      if (forRecipient && !targets.some((t) => t.peer === node)) {
        targets.push({ peer: node, state: 'delivered', at: now, tries: 0, bearer });
        changed = true;
      }
      if (!changed) continue;
      vault.setOutbox(id, { ...row, targets });
      vault.trace(id, { at: now, event: 'delivered', peer: node, bearer, detail: 'delivery bloom' });
      this.ctx.events.emit('delivered', { id: hex(id), to: node, bearer, via: 'bloom' });
    }
    if (upstream.size > 0) this.ctx.track(this.passUpstream(payload, upstream));
  }

  private async passUpstream(payload: Uint8Array, peers: Set<string>): Promise<void> {
    const signal = this.ctx.signal();
    if (!signal) return;
    const bytes = encodeFrame({ kind: 'bloom', payload });
    const sends: Promise<unknown>[] = [];
    const deadline = sendDeadline(signal, this.ctx.sendTimeoutMs, 'passing a delivery bloom upstream');
    for (const peer of peers) {
      for (const b of bearersFor(peer, this.ctx.bearers)) {
        sends.push(b.send({ peer, kind: 'bloom', bytes }, { signal: deadline.signal }));
      }
    }
    await Promise.allSettled(sends);
    deadline.done();
  }
}
