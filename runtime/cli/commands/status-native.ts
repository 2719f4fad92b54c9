/**
 * The native Meshtastic nodes' part of `lattice status` (issue 13): for each `meshtastic-native` bearer, its node
 * number and role, region and preset, the channels, the neighbours heard directly, the client API and how many apps
 * are connected, and the channel utilisation the firmware would report. Read from the bearer's status detail
 * (runtime/bearers/meshtastic-native/native-node.ts status()).
 */
import type { BearerStatus } from '../../bearer/bearer.js';
import { relative } from '../format/time.js';

interface NativeDetail {
  nodeId?: string;
  role?: string;
  longName?: string;
  region?: string;
  modemPreset?: string;
  frequencyHz?: number;
  channels?: Array<{ index: number; name: string }>;
  nodes?: number;
  neighbours?: Array<{ id: string; name?: string; snr?: number; lastHeard?: number }>;
  clients?: number;
  api?: string;
  channelUtilizationPercent?: number;
  airUtilTxPercent?: number;
}

export function renderNativeNodes(bearers: BearerStatus[], now: number): string {
  let out = '';
  for (const b of bearers) {
    if (b.kind !== 'meshtastic-native') continue;
    const d = (b.detail ?? {}) as NativeDetail;
    const mhz = d.frequencyHz !== undefined ? ` ${(d.frequencyHz / 1e6).toFixed(3)} MHz` : '';
    out += `native   ${b.name} ${d.nodeId ?? '?'} "${d.longName ?? ''}" ${d.role ?? ''}, ${d.region ?? ''} ${d.modemPreset ?? ''}${mhz}, ${b.state}\n`;
    out += `  channels    ${(d.channels ?? []).map((c) => `${c.index} ${c.name}`).join(', ') || 'none'}\n`;
    const ns = d.neighbours ?? [];
    const heard = ns.map((n) => `${n.name ? `${n.name} ` : ''}${n.id}${n.snr !== undefined ? ` ${n.snr} dB` : ''}${n.lastHeard ? ` ${relative(n.lastHeard, now)}` : ''}`);
    out += `  neighbours  ${ns.length === 0 ? 'none heard directly' : heard.join(', ')} (${d.nodes ?? 0} ${d.nodes === 1 ? 'node' : 'nodes'} known)\n`;
    out += `  clients     ${d.api ? `${d.clients ?? 0} on ${d.api}` : 'client API off'}\n`;
    out += `  air         channel ${fmt(d.channelUtilizationPercent)} % (last minute), our TX ${fmt(d.airUtilTxPercent)} % (last hour)\n`;
  }
  return out;
}

const fmt = (v: number | undefined) => (v === undefined ? '?' : v.toFixed(1));
