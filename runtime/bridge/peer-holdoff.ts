/**
 * Another bridge on the same pair of meshes: once its output (attributed channel text) is heard on a mesh, our channel
 * parts for that mesh wait a while after they were queued, and are dropped if the other bridge sends the same words
 * first, so users see one copy. The wait is a share of `holdoffMs` in [1/4, 1), fixed per relay and part (a hash of
 * our id and the part), so two bridges that took the same text usually pick different moments and the later one
 * hears the earlier one's copy. Another bridge counts as present for an hour after it was last heard.
 */
import { createHash } from 'node:crypto';
import type { MeshNet } from './attribution.js';
import type { QueueEntry } from './bridge-queue.js';
import { EchoWindow } from './echo-window.js';

/** How long one heard copy of another bridge's output counts as "another bridge serves these meshes". */
const PEER_BRIDGE_MEMORY_MS = 3_600_000;

export interface PeerHoldoffInit {
  /** bridge.peerHoldoffMs; 0: never wait. */
  holdoffMs: number;
  /** How long heard words are remembered (bridge.echoWindowMs). */
  memoryMs: number;
  ownShortId: string;
  now: () => number;
}

export class PeerHoldoff {
  /** Bridged text (another bridge's output) heard on each mesh lately, and when another bridge was last heard. */
  private readonly heardText: Record<MeshNet, EchoWindow>;
  private readonly lastHeardAt: Partial<Record<MeshNet, number>> = {};

  constructor(private readonly init: PeerHoldoffInit) {
    this.heardText = { mt: new EchoWindow(init.memoryMs, 1024, init.now), mc: new EchoWindow(init.memoryMs, 1024, init.now) };
  }

  /** Another bridge spoke on `net` (our own radio never hears itself): remember what it sent. */
  heard(net: MeshNet, text: string): void {
    this.heardText[net].remember(text);
    this.lastHeardAt[net] = this.init.now();
  }

  /** Whether our channel parts for `net` wait: another bridge was heard there within the last hour. */
  active(net: MeshNet): boolean {
    const at = this.lastHeardAt[net];
    return this.init.holdoffMs > 0 && at !== undefined && this.init.now() - at < PEER_BRIDGE_MEMORY_MS;
  }

  /** Whether another bridge already sent these words on `net`. */
  sentFirst(net: MeshNet, text: string): boolean {
    return this.heardText[net].has(text);
  }

  /** How much longer a part waits (≤ 0: it may go now). */
  remainingMs(e: QueueEntry): number {
    return e.sentAt + this.holdoffMs(e) - this.init.now();
  }

  private holdoffMs(e: QueueEntry): number {
    const h = createHash('sha256').update(`${this.init.ownShortId}|${e.source}|${e.part}`).digest();
    return Math.floor(this.init.holdoffMs * (0.25 + 0.75 * (h.readUInt32BE(0) / 2 ** 32)));
  }
}
