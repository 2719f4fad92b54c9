/**
 * The GET_STATUS answer of simple_repeater: RESPONSE plaintext `tag u32 (the request's timestamp) · RepeaterStats`
 * (MyMesh::handleRequest). RepeaterStats (examples/simple_repeater/MyMesh.h) is a packed-by-alignment C struct of
 * 56 bytes, little-endian, no padding (every member is at its natural alignment).
 */
import { need, view } from './app-data-errors.js';

export const REPEATER_STATS_SIZE = 56;

export interface RepeaterStats {
  battMilliVolts: number;
  currTxQueueLen: number;
  noiseFloor: number;
  lastRssi: number;
  nPacketsRecv: number;
  nPacketsSent: number;
  totalAirTimeSecs: number;
  totalUpTimeSecs: number;
  nSentFlood: number;
  nSentDirect: number;
  nRecvFlood: number;
  nRecvDirect: number;
  /** Was n_full_events. */
  errEvents: number;
  /** SNR × 4. */
  lastSnr: number;
  nDirectDups: number;
  nFloodDups: number;
  totalRxAirTimeSecs: number;
  nRecvErrors: number;
}

type Field = [keyof RepeaterStats, 'u16' | 'i16' | 'u32'];
/** Member order of struct RepeaterStats. */
const FIELDS: Field[] = [
  ['battMilliVolts', 'u16'],
  ['currTxQueueLen', 'u16'],
  ['noiseFloor', 'i16'],
  ['lastRssi', 'i16'],
  ['nPacketsRecv', 'u32'],
  ['nPacketsSent', 'u32'],
  ['totalAirTimeSecs', 'u32'],
  ['totalUpTimeSecs', 'u32'],
  ['nSentFlood', 'u32'],
  ['nSentDirect', 'u32'],
  ['nRecvFlood', 'u32'],
  ['nRecvDirect', 'u32'],
  ['errEvents', 'u16'],
  ['lastSnr', 'i16'],
  ['nDirectDups', 'u16'],
  ['nFloodDups', 'u16'],
  ['totalRxAirTimeSecs', 'u32'],
  ['nRecvErrors', 'u32'],
];

/** The 56-byte struct. Values wrap as the C integer types do (a u32 counter past 2^32 wraps). */
export function encodeRepeaterStats(s: RepeaterStats): Uint8Array {
  const out = new Uint8Array(REPEATER_STATS_SIZE);
  const dv = view(out);
  let i = 0;
  for (const [k, t] of FIELDS) {
    const v = Math.trunc(s[k]) || 0;
    if (t === 'u32') {
      dv.setUint32(i, v >>> 0, true);
      i += 4;
    } else {
      if (t === 'u16') dv.setUint16(i, v & 0xffff, true);
      else dv.setInt16(i, (v << 16) >> 16, true);
      i += 2;
    }
  }
  return out;
}

export function decodeRepeaterStats(data: Uint8Array): RepeaterStats {
  need('repeater stats', data, REPEATER_STATS_SIZE);
  const dv = view(data);
  const out = {} as RepeaterStats;
  let i = 0;
  for (const [k, t] of FIELDS) {
    if (t === 'u32') {
      out[k] = dv.getUint32(i, true);
      i += 4;
    } else {
      out[k] = t === 'u16' ? dv.getUint16(i, true) : dv.getInt16(i, true);
      i += 2;
    }
  }
  return out;
}

/** The whole RESPONSE plaintext: tag · stats (60 bytes before padding). */
export function encodeStatusResponse(tag: number, s: RepeaterStats): Uint8Array {
  const out = new Uint8Array(4 + REPEATER_STATS_SIZE);
  view(out).setUint32(0, tag >>> 0, true);
  out.set(encodeRepeaterStats(s), 4);
  return out;
}

export function decodeStatusResponse(data: Uint8Array): { tag: number; stats: RepeaterStats } {
  need('status response', data, 4 + REPEATER_STATS_SIZE);
  return { tag: view(data).getUint32(0, true), stats: decodeRepeaterStats(data.subarray(4)) };
}
