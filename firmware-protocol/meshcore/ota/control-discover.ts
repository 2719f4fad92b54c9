/**
 * CONTROL node discovery (unencrypted CONTROL payloads; examples/simple_repeater/MyMesh.cpp onControlDataRecv and
 * sendNodeDiscoverReq): request `0x80 | prefix_only(bit 0) · type_filter (bit per ADV_TYPE) · tag u32 · [since u32]`
 * (at least 6 bytes; `since` read when 10 are present); response `0x90 | node_type · snr×4 (i8, as heard) · tag u32 ·
 * public key (8 bytes when the request asked prefix_only, else 32)`.
 */
import { CTL_TYPE } from './request-codes.js';
import { layoutError, need, view } from './app-data-errors.js';

export interface DiscoverRequest {
  prefixOnly: boolean;
  /** Bit (1 << ADV_TYPE) per node type wanted. */
  typeFilter: number;
  tag: number;
  /** Only nodes whose discovery settings changed at or after this time answer; 0 / absent = all. */
  since?: number;
}

export interface DiscoverResponse {
  nodeType: number;
  /** The request's SNR at the responder, × 4 (signed). */
  snrX4: number;
  tag: number;
  /** 8 or 32 bytes. */
  publicKey: Uint8Array;
}

export function encodeDiscoverRequest(r: DiscoverRequest): Uint8Array {
  const out = new Uint8Array(r.since === undefined ? 6 : 10);
  out[0] = CTL_TYPE.NODE_DISCOVER_REQ | (r.prefixOnly ? 1 : 0);
  out[1] = r.typeFilter & 0xff;
  const dv = view(out);
  dv.setUint32(2, r.tag >>> 0, true);
  if (r.since !== undefined) dv.setUint32(6, r.since >>> 0, true);
  return out;
}

export function decodeDiscoverRequest(payload: Uint8Array): DiscoverRequest {
  need('discover request', payload, 6);
  if ((payload[0] & 0xf0) !== CTL_TYPE.NODE_DISCOVER_REQ) throw layoutError('discover request', `control type 0x${payload[0].toString(16)}`);
  const dv = view(payload);
  const r: DiscoverRequest = { prefixOnly: (payload[0] & 1) !== 0, typeFilter: payload[1], tag: dv.getUint32(2, true) };
  if (payload.length >= 10) r.since = dv.getUint32(6, true);
  return r;
}

export function encodeDiscoverResponse(r: DiscoverResponse): Uint8Array {
  if (r.publicKey.length !== 8 && r.publicKey.length !== 32) throw new RangeError(`discover response key is 8 or 32 bytes, got ${r.publicKey.length}`);
  const out = new Uint8Array(6 + r.publicKey.length);
  out[0] = CTL_TYPE.NODE_DISCOVER_RESP | (r.nodeType & 0x0f);
  out[1] = r.snrX4 & 0xff;
  view(out).setUint32(2, r.tag >>> 0, true);
  out.set(r.publicKey, 6);
  return out;
}

/** The key is whatever follows the tag (8 or 32 bytes as sent; a repeater only uses answers with 32). */
export function decodeDiscoverResponse(payload: Uint8Array): DiscoverResponse {
  need('discover response', payload, 6);
  if ((payload[0] & 0xf0) !== CTL_TYPE.NODE_DISCOVER_RESP) throw layoutError('discover response', `control type 0x${payload[0].toString(16)}`);
  const publicKey = payload.slice(6, Math.min(payload.length, 6 + 32));
  return { nodeType: payload[0] & 0x0f, snrX4: (payload[1] << 24) >> 24, tag: view(payload).getUint32(2, true), publicKey };
}
