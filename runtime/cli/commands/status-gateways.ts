/**
 * The MQTT gateways' part of `lattice status` (issue 17): for each gateway bearer (role meshtastic or
 * meshcore-observer), its radio, the id it publishes under (`!%08x` gateway id, or the MeshCore public key), the
 * broker, whether it is connected and what waits in its queue. Read from the bearer's status detail
 * (runtime/bearers/mqtt/meshtastic/meshtastic-gateway.ts, runtime/bearers/mqtt/meshcore/meshcore-observer.ts).
 */
import type { BearerStatus } from '../../bearer/bearer.js';
import { cell, renderTable } from '../format/table.js';

interface GatewayDetail {
  role?: string;
  radio?: string;
  gatewayId?: string;
  observerId?: string;
  broker?: string;
  connected?: boolean;
  enabled?: boolean;
  queued?: number;
}

export function renderGateways(bearers: BearerStatus[]): string {
  const rows: string[][] = [];
  for (const b of bearers) {
    const d = (b.detail ?? {}) as GatewayDetail;
    if (b.kind !== 'mqtt' || (d.role !== 'meshtastic' && d.role !== 'meshcore-observer')) continue;
    const state = d.enabled === false ? 'idle (nothing enabled)' : d.connected ? 'connected' : 'down';
    rows.push([b.name, d.role, d.radio ?? '', cell(d.gatewayId ?? d.observerId ?? '', 20), cell(d.broker ?? '', 40), state, String(d.queued ?? 0)]);
  }
  return rows.length === 0 ? '' : renderTable(['GATEWAY', 'ROLE', 'RADIO', 'ID', 'BROKER', 'STATE', 'QUEUED'], rows);
}
