/**
 * The repeater's status numbers: RepeaterStats as MyMesh::handleRequest fills it for GET_STATUS (battery from the
 * power monitor, the TX queue, the radio's noise floor and last RSSI/SNR, the Dispatcher and SimpleMeshTables
 * counters of the mesh) and the console's stats-core / stats-radio / stats-packets JSON lines
 * (src/helpers/StatsFormatHelper.h). `received` is the radio's n_recv: every frame the radio delivered
 * (Dispatcher::logRxRaw), parsable or not.
 */
import type { MeshCoreMesh } from '../mesh/mesh-api.js';
import type { RepeaterStats } from '../ota/repeater-stats.js';

export interface StatusSources {
  mesh: MeshCoreMesh;
  battMilliVolts(): number;
  noiseFloorDbm(): number;
  uptimeMs(): number;
  received(): number;
}

export function repeaterStats(src: StatusSources): RepeaterStats {
  const c = src.mesh.counters;
  const sig = src.mesh.lastSignal();
  return {
    battMilliVolts: src.battMilliVolts(),
    currTxQueueLen: src.mesh.queueLength(),
    noiseFloor: Math.trunc(src.noiseFloorDbm()),
    lastRssi: Math.trunc(sig?.rssiDbm ?? 0),
    nPacketsRecv: src.received(),
    nPacketsSent: c.sentFlood + c.sentDirect,
    totalAirTimeSecs: Math.floor(c.txAirMs / 1000),
    totalUpTimeSecs: Math.floor(src.uptimeMs() / 1000),
    nSentFlood: c.sentFlood,
    nSentDirect: c.sentDirect,
    nRecvFlood: c.recvFlood,
    nRecvDirect: c.recvDirect,
    errEvents: 0, // Dispatcher _err_flags: no such events here (a full queue or a radio timeout is the mesh's)
    lastSnr: Math.trunc(Math.fround(sig?.snrDb ?? 0) * 4),
    nDirectDups: c.directDups,
    nFloodDups: c.floodDups,
    totalRxAirTimeSecs: Math.floor(c.rxAirMs / 1000),
    nRecvErrors: c.recvErrors,
  };
}

/** StatsFormatHelper::formatCoreStats. */
export function formatCoreStats(s: RepeaterStats): string {
  return `{"battery_mv":${s.battMilliVolts},"uptime_secs":${s.totalUpTimeSecs},"errors":${s.errEvents},"queue_len":${s.currTxQueueLen}}`;
}

/** StatsFormatHelper::formatRadioStats (last_snr as %.2f of the float SNR). */
export function formatRadioStats(s: RepeaterStats, lastSnrDb: number): string {
  return `{"noise_floor":${s.noiseFloor},"last_rssi":${s.lastRssi},"last_snr":${Math.fround(lastSnrDb).toFixed(2)},"tx_air_secs":${s.totalAirTimeSecs},"rx_air_secs":${s.totalRxAirTimeSecs}}`;
}

/** StatsFormatHelper::formatPacketStats. */
export function formatPacketStats(s: RepeaterStats): string {
  return `{"recv":${s.nPacketsRecv},"sent":${s.nPacketsSent},"flood_tx":${s.nSentFlood},"direct_tx":${s.nSentDirect},"flood_rx":${s.nRecvFlood},"direct_rx":${s.nRecvDirect},"recv_errors":${s.nRecvErrors}}`;
}
