/**
 * The native nodes' part of `lattice status`. For each `meshtastic-native` bearer (issue 13): its node number and
 * role, region and preset, the channels, the neighbours heard directly, the client API and how many apps are
 * connected, and the channel utilisation the firmware would report (runtime/bearers/meshtastic-native/native-node.ts
 * status()). For each `meshcore-native` bearer (issue 14), the repeater: name, key, role, preset and channel, the
 * repeaters heard directly, the companion port and its clients, the clients logged in over the air, and the
 * counters (heard, forwarded, dropped by reason, adverts, logins) (runtime/bearers/meshcore-native/mc-native-node.ts
 * status()).
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
    if (b.kind === 'meshcore-native') out += renderMcNative(b, now);
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

interface McNativeDetail {
  publicKey?: string;
  nodeName?: string;
  role?: string;
  region?: string;
  preset?: string;
  frequencyHz?: number;
  bandwidthHz?: number;
  spreadingFactor?: number;
  codingRate?: number;
  floodScope?: string | null;
  /** As the gateway reports them (runtime/bearers/meshcore/radio-detail.ts): `mc:ch:<index>`. */
  channels?: Array<{ id: string; name: string }>;
  neighbours?: Array<{ publicKey: string; name?: string; snrDb?: number; lastHeard?: number }>;
  contacts?: unknown[];
  loggedIn?: number;
  clients?: number;
  companion?: string;
  counters?: {
    heard?: number; forwarded?: number; sentFlood?: number; sentDirect?: number; floodDups?: number; directDups?: number;
    dropped?: Record<string, number>; advertsHeard?: number; advertsSent?: number; loginsOk?: number; loginsFailed?: number;
  };
  txQueue?: number;
  airUtilTxPercent?: number;
}

function renderMcNative(b: BearerStatus, now: number): string {
  const d = (b.detail ?? {}) as McNativeDetail;
  const c = d.counters ?? {};
  const key = d.publicKey ? d.publicKey.slice(0, 12) : '?';
  const channel = d.frequencyHz !== undefined
    ? ` ${(d.frequencyHz / 1e6).toFixed(3)} MHz/${(d.bandwidthHz ?? 0) / 1e3} kHz SF${d.spreadingFactor ?? '?'} CR4/${d.codingRate ?? '?'}`
    : '';
  let out = `meshcore ${b.name} ${key} "${d.nodeName ?? ''}" ${d.role ?? ''}, ${d.region ?? ''} ${d.preset ?? ''}${channel}, ${b.state}
`;
  out += `  channels    ${(d.channels ?? []).map((ch) => `${ch.id.replace(/^mc:ch:/, '')} ${ch.name}`).join(', ') || 'none'}${d.floodScope ? `; floods scoped to ${d.floodScope}` : ''}
`;
  const ns = d.neighbours ?? [];
  const heard = ns.map((n) => `${n.name ? `${n.name} ` : ''}${n.publicKey.slice(0, 8)}${n.snrDb !== undefined ? ` ${n.snrDb} dB` : ''}${n.lastHeard ? ` ${relative(n.lastHeard, now)}` : ''}`);
  out += `  neighbours  ${ns.length === 0 ? 'none heard directly' : heard.join(', ')} (${d.contacts?.length ?? 0} ${d.contacts?.length === 1 ? 'contact' : 'contacts'})
`;
  out += `  clients     ${d.companion ? `${d.clients ?? 0} on ${d.companion}` : 'companion port off'}, ${d.loggedIn ?? 0} logged in over the air
`;
  const dropped = Object.entries(c.dropped ?? {}).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`);
  const dups = (c.floodDups ?? 0) + (c.directDups ?? 0);
  out += `  packets     heard ${c.heard ?? 0}, forwarded ${c.forwarded ?? 0}, sent ${(c.sentFlood ?? 0) + (c.sentDirect ?? 0)}, duplicates ${dups}, dropped ${dropped.length ? dropped.join(', ') : 'none'}
`;
  out += `  adverts     ${c.advertsSent ?? 0} sent, ${c.advertsHeard ?? 0} heard; logins ${c.loginsOk ?? 0} ok, ${c.loginsFailed ?? 0} failed; queue ${d.txQueue ?? 0}, our TX ${fmt(d.airUtilTxPercent)} % (last hour)
`;
  return out;
}

const fmt = (v: number | undefined) => (v === undefined ? '?' : v.toFixed(1));
