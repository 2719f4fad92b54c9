/**
 * What Mesh::onRecvPacket (./recv-packet.ts, ./recv-payloads.ts) works with: the context the mesh gives it, the
 * drop reasons it counts, the retransmission it asks for, and Mesh::routeRecvPacket (the flood forward decision).
 */
import type { LocalIdentity } from '../ota/identity.js';
import { MAX_PATH_SIZE, isFlood, pathHashCount, type McPacket } from '../ota/packet.js';
import type { MeshTables } from './mesh-tables.js';
import type { McPath, MeshHandler, ReceivedPacket } from './mesh-handler.js';

/** Why a parsed packet was not used (MeshCounters.dropped); parse failures use ../ota/errors.ts MalformedReason. */
export type DropReason =
  | 'payload-layout'
  | 'own-advert'
  | 'bad-signature'
  | 'undecryptable'
  | 'bad-key'
  | 'filtered'
  | 'unknown-type'
  | 'not-next-hop'
  | 'forward-refused'
  | 'trace-not-for-us'
  | 'control-not-zero-hop'
  | 'raw-not-direct'
  | 'handler-error'
  | 'tx-queue-full'
  | 'rx-queue-full'
  | 'tx-invalid'
  | 'tx-failed'
  | 'cad-timeout';

export interface Retransmit {
  packet: McPacket;
  priority: number;
  delayMs: number;
}

export interface RecvContext {
  identity: LocalIdentity;
  tables: MeshTables;
  handler: MeshHandler;
  drop(reason: DropReason, rx: ReceivedPacket): void;
  /** Runs a handler callback; a throw is counted ('handler-error') and does not stop the mesh. */
  call<T>(rx: ReceivedPacket, fn: () => T): T | undefined;
  /** Mesh::getRetransmitDelay / getDirectRetransmitDelay for the packet as it will go out, ms. */
  floodDelayMs(packet: McPacket): number;
  directDelayMs(packet: McPacket): number;
  /** Mesh::sendDirect of the reciprocal PATH (Mesh::onRecvPacket, PAYLOAD_TYPE_PATH). */
  sendReciprocalPath(destHash: number, secret: Uint8Array, inPath: McPath, outPath: McPath): void;
  /** Dispatcher::sendPacket (routeDirectRecvAcks). */
  sendPacket(packet: McPacket, priority: number, delayMs: number): void;
}

export function u32le(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

export function hashMatches(identity: LocalIdentity, bytes: Uint8Array, at: number, size: number): boolean {
  if (at + size > bytes.length) return false;
  for (let k = 0; k < size; k++) if (bytes[at + k] !== identity.publicKey[k]) return false;
  return true;
}

/** Mesh::removeSelfFromPath. */
export function routeRecvPacket(ctx: RecvContext, rx: ReceivedPacket, doNotRetransmit: boolean): Retransmit | undefined {
  const p = rx.packet;
  const n = pathHashCount(p);
  if (!isFlood(p) || doNotRetransmit || (n + 1) * p.pathHashSize > MAX_PATH_SIZE) return undefined;
  if (!ctx.call(rx, () => ctx.handler.allowPacketForward?.(p) ?? false)) return undefined;
  const path = new Uint8Array(p.path.length + p.pathHashSize);
  path.set(p.path);
  path.set(ctx.identity.publicKey.subarray(0, p.pathHashSize), p.path.length);
  const out: McPacket = { ...p, path };
  // "as this propagates outwards, give it lower and lower priority": the priority is the hop count.
  return { packet: out, priority: n + 1, delayMs: ctx.floodDelayMs(out) };
}

/** Mesh::routeDirectRecvAcks: an ACK we relay goes out again as DIRECT, preceded by the app's extra multi-ACKs. */
