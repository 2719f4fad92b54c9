/**
 * Acknowledged bundle frames over the IP bearer's TCP connections (PROTOCOL.md, "Bundle acknowledgements").
 *
 * A connector whose peer advertised acknowledgements (HELLO flag bit 1) sends each bundle frame as a BUNDLE stream
 * frame, numbered on that connection; the acceptor answers on the same connection with ACK stream frames once its
 * router settled the frame (runtime/bearer/bearer.ts `FrameFate`): for a bundle, only after the vault flushed it.
 *
 *   BUNDLE payload   0  u32  sequence number (big-endian; 1, 2, 3... per connection, wrapping after 2^32 - 1)
 *                    4  ...  one Lattice frame (≥ 1 byte, runtime/wire/frame-codec.ts)
 *
 *   ACK payload      n × 5 bytes, n ≥ 1:   u32 sequence number | u8 fate
 *                    fate: 1 stored, 2 duplicate, 3 handled, 4 refused, 5 not-stored
 *
 * Only fates 1-3 mean the acceptor holds the bundle durably (or needed nothing kept); 4 and 5 tell the connector at
 * once that it keeps custody. Entries of one ACK may answer frames in any order. Pure functions; decoders throw only
 * IpDecodeError (`malformed`).
 */
import type { FrameFate } from '../../bearer/bearer.js';
import { IpDecodeError } from './errors.js';

export const ACK_SEQ_BYTES = 4;
export const ACK_ENTRY_BYTES = 5;
/** Entries in one ACK frame at most (5 KiB): a group commit of thousands of bundles is acknowledged in a few frames. */
export const MAX_ACK_ENTRIES = 1024;

const FATE_CODES: Record<FrameFate, number> = { stored: 1, duplicate: 2, handled: 3, refused: 4, 'not-stored': 5 };
const FATES: Record<number, FrameFate> = { 1: 'stored', 2: 'duplicate', 3: 'handled', 4: 'refused', 5: 'not-stored' };

export interface Ack {
  seq: number;
  fate: FrameFate;
}

/** Fates that acknowledge a frame as received: the connector may count the hop delivered. */
export function acknowledges(fate: string): fate is 'stored' | 'duplicate' | 'handled' {
  return fate === 'stored' || fate === 'duplicate' || fate === 'handled';
}

function checkSeq(seq: number): void {
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffffffff) throw new RangeError(`sequence number ${seq} is not a u32`);
}

export function encodeBundlePayload(seq: number, frame: Uint8Array): Uint8Array {
  checkSeq(seq);
  if (frame.length < 1) throw new RangeError('a BUNDLE frame carries at least one byte');
  const out = new Uint8Array(ACK_SEQ_BYTES + frame.length);
  new DataView(out.buffer).setUint32(0, seq);
  out.set(frame, ACK_SEQ_BYTES);
  return out;
}

export function decodeBundlePayload(p: Uint8Array): { seq: number; frame: Uint8Array } {
  if (p.length <= ACK_SEQ_BYTES) throw new IpDecodeError('malformed', `BUNDLE frame of ${p.length} bytes`);
  return { seq: new DataView(p.buffer, p.byteOffset, p.length).getUint32(0), frame: p.subarray(ACK_SEQ_BYTES) };
}

export function encodeAcks(acks: readonly Ack[]): Uint8Array {
  if (acks.length < 1 || acks.length > MAX_ACK_ENTRIES) throw new RangeError(`an ACK frame carries 1..${MAX_ACK_ENTRIES} entries, got ${acks.length}`);
  const out = new Uint8Array(acks.length * ACK_ENTRY_BYTES);
  const view = new DataView(out.buffer);
  acks.forEach((a, i) => {
    checkSeq(a.seq);
    const code = FATE_CODES[a.fate];
    if (code === undefined) throw new RangeError(`unknown fate ${String(a.fate)}`);
    view.setUint32(i * ACK_ENTRY_BYTES, a.seq);
    out[i * ACK_ENTRY_BYTES + 4] = code;
  });
  return out;
}

export function decodeAcks(p: Uint8Array): Ack[] {
  if (p.length === 0 || p.length % ACK_ENTRY_BYTES !== 0 || p.length / ACK_ENTRY_BYTES > MAX_ACK_ENTRIES) {
    throw new IpDecodeError('malformed', `ACK frame of ${p.length} bytes`);
  }
  const view = new DataView(p.buffer, p.byteOffset, p.length);
  const out: Ack[] = [];
  for (let at = 0; at < p.length; at += ACK_ENTRY_BYTES) {
    const fate = FATES[p[at + 4]!];
    if (!fate) throw new IpDecodeError('malformed', `ACK fate ${p[at + 4]}`);
    out.push({ seq: view.getUint32(at), fate });
  }
  return out;
}
