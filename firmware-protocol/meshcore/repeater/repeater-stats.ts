/**
 * struct RepeaterStats (examples/simple_repeater/MyMesh.h), the GET_STATUS answer after the 4-byte tag: 56 bytes,
 * little-endian, no padding. Pure codec (it can move to ../ota/ with the other layouts).
 */

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
  errEvents: number;
  /** SNR × 4. */
  lastSnr: number;
  nDirectDups: number;
  nFloodDups: number;
  totalRxAirTimeSecs: number;
  nRecvErrors: number;
}

export const REPEATER_STATS_SIZE = 56;

export function encodeRepeaterStats(s: RepeaterStats): Uint8Array {
  const out = new Uint8Array(REPEATER_STATS_SIZE);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, s.battMilliVolts & 0xffff, true);
  dv.setUint16(2, s.currTxQueueLen & 0xffff, true);
  dv.setInt16(4, s.noiseFloor, true);
  dv.setInt16(6, s.lastRssi, true);
  dv.setUint32(8, s.nPacketsRecv >>> 0, true);
  dv.setUint32(12, s.nPacketsSent >>> 0, true);
  dv.setUint32(16, s.totalAirTimeSecs >>> 0, true);
  dv.setUint32(20, s.totalUpTimeSecs >>> 0, true);
  dv.setUint32(24, s.nSentFlood >>> 0, true);
  dv.setUint32(28, s.nSentDirect >>> 0, true);
  dv.setUint32(32, s.nRecvFlood >>> 0, true);
  dv.setUint32(36, s.nRecvDirect >>> 0, true);
  dv.setUint16(40, s.errEvents & 0xffff, true);
  dv.setInt16(42, s.lastSnr, true);
  dv.setUint16(44, s.nDirectDups & 0xffff, true);
  dv.setUint16(46, s.nFloodDups & 0xffff, true);
  dv.setUint32(48, s.totalRxAirTimeSecs >>> 0, true);
  dv.setUint32(52, s.nRecvErrors >>> 0, true);
  return out;
}

export function decodeRepeaterStats(b: Uint8Array): RepeaterStats | undefined {
  if (b.length < REPEATER_STATS_SIZE) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    battMilliVolts: dv.getUint16(0, true),
    currTxQueueLen: dv.getUint16(2, true),
    noiseFloor: dv.getInt16(4, true),
    lastRssi: dv.getInt16(6, true),
    nPacketsRecv: dv.getUint32(8, true),
    nPacketsSent: dv.getUint32(12, true),
    totalAirTimeSecs: dv.getUint32(16, true),
    totalUpTimeSecs: dv.getUint32(20, true),
    nSentFlood: dv.getUint32(24, true),
    nSentDirect: dv.getUint32(28, true),
    nRecvFlood: dv.getUint32(32, true),
    nRecvDirect: dv.getUint32(36, true),
    errEvents: dv.getUint16(40, true),
    lastSnr: dv.getInt16(42, true),
    nDirectDups: dv.getUint16(44, true),
    nFloodDups: dv.getUint16(46, true),
    totalRxAirTimeSecs: dv.getUint32(48, true),
    nRecvErrors: dv.getUint32(52, true),
  };
}
