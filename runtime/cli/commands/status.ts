/** `lattice status`: the running relay's identity, bearers, mesh radios, peers and queues. */
import type { RadioInfo } from '../../bearer/radio-gateway.js';
import type { BridgeStatus } from '../../bridge/bridge.js';
import type { NodeStatus } from '../../node/relay-node.js';
import type { VaultFull, VaultUsage } from '../../vault/vault-budget.js';
import { formatBytes } from '../format/bytes.js';
import type { Command } from '../command.js';
import { clientFor, printJson } from '../config-for.js';
import { EXIT_OK } from '../exit-codes.js';
import { cell, renderTable } from '../format/table.js';
import { formatDuration, relative } from '../format/time.js';
import { renderGateways } from './status-gateways.js';
import { renderNativeNodes } from './status-native.js';
import { renderPower } from './status-power.js';

export const status: Command = {
  name: 'status',
  summary: "show the running relay's id, bearers, peers and queues",
  configFlags: ['api'],
  json: true,
  async run(ctx) {
    const client = await clientFor(ctx);
    const s = await client.status();
    if (ctx.values.json) printJson(ctx, s);
    else ctx.io.stdout.write(renderStatus(s, Date.now()));
    return EXIT_OK;
  },
};

export function renderStatus(s: NodeStatus, now: number): string {
  const o = s.outbox;
  let out =
    `relay    ${s.shortId}\n` +
    `node id  ${s.nodeId}\n` +
    `version  ${s.version}, up ${formatDuration(s.uptimeSeconds)}\n` +
    `outbox   ${o.queued} queued, ${o.accepted} accepted, ${o.delivered} delivered, ${o.expired} expired\n` +
    `inbox    ${s.inbox}   stored ${s.stored}\n`;
  if (s.vault) out += renderVault(s.vault);
  if (s.power) out += renderPower(s.power, now);
  out += '\n';
  out += s.bearers.length === 0
    ? 'no bearers\n'
    : renderTable(['BEARER', 'KIND', 'MODE', 'STATE', 'PEERS'], s.bearers.map((b) => [b.name, b.kind, b.mode, b.state, String(b.peers.length)]));
  if (s.radios?.length) out += '\n' + renderRadios(s.radios, now);
  const native = renderNativeNodes(s.bearers, now);
  if (native) out += '\n' + native;
  const gateways = renderGateways(s.bearers);
  if (gateways) out += '\n' + gateways;
  out += '\n';
  out += s.peers.length === 0
    ? 'no peers yet\n'
    : renderTable(
        ['PEER', 'NAME', 'BEARERS', 'LAST SEEN'],
        s.peers.map((p) => [p.shortId, cell(p.name ?? '', 24), p.bearers.join(','), relative(p.lastSeen, now)]),
      );
  if (s.bridge) out += '\n' + renderBridge(s.bridge);
  return out;
}

const FULL: Record<VaultFull, string> = {
  budget: 'its budget is used by bundles still to deliver',
  disk: 'the disk is full',
  io: 'the disk fails to write',
};

/** The vault's disk use against its budget (vault.maxBytes), and whether it refuses new bundles. */
export function renderVault(v: VaultUsage): string {
  const of = v.maxBytes === undefined ? ' (no budget set: vault.maxBytes)' : ` of ${formatBytes(v.maxBytes)} (${Math.round((100 * v.usedBytes) / v.maxBytes)} %)`;
  let out = `vault    ${formatBytes(v.usedBytes)} used${of}, data file ${formatBytes(v.fileBytes)}\n`;
  if (v.full) out += `         FULL: ${FULL[v.full]}; new bundles are refused (507), stored ones still relayed\n`;
  return out;
}

const MESH_NAME: Record<RadioInfo['mesh'], string> = { meshtastic: 'Meshtastic', meshcore: 'MeshCore' };

/** The mesh radios, from their typed view: link (with the back-off when another client took the radio), our address
 * and name on the mesh, the usable channels, and how many nodes the radio knows. */
export function renderRadios(radios: RadioInfo[], now: number): string {
  const link = (r: RadioInfo) => {
    const d = r.link.displacement;
    if (r.link.state === 'displaced' && d?.retryAt !== undefined) return `displaced, retry ${relative(d.retryAt, now)}`;
    return r.link.state;
  };
  return renderTable(
    ['RADIO', 'MESH', 'LINK', 'ADDRESS', 'NAME', 'CHANNELS', 'NODES'],
    radios.map((r) => [
      r.name, MESH_NAME[r.mesh], link(r), cell(r.self?.address ?? '', 20), cell(r.self?.name ?? '', 24),
      cell(r.channels.filter((c) => c.usable).map((c) => `${c.index} ${c.name || '(unnamed)'}`).join(', '), 40), String(r.nodes.length),
    ]),
  );
}

const ARROW: Record<string, string> = { both: '<->', 'mt-to-mc': '->', 'mc-to-mt': '<-' };

/** The bridge part: radios, each mapping (with the channel index it resolved to, `?` when the radio has none),
 * parts bridged and queued per direction, drops by reason. */
export function renderBridge(b: BridgeStatus): string {
  const at = (want: number | string, got: number | undefined) => (typeof want === 'number' ? (got === undefined ? `${want}?` : String(want)) : `${want} (${got ?? '?'})`);
  let out = `bridge   Meshtastic ${b.radios.meshtastic} <-> MeshCore ${b.radios.meshcore}\n`;
  for (const m of b.mappings) out += `  MT ${at(m.meshtastic, m.resolved.meshtastic)} ${ARROW[m.direction] ?? m.direction} MC ${at(m.meshcore, m.resolved.meshcore)}\n`;
  out += `  MT->MC   ${b.bridged['mt-to-mc']} bridged, ${b.queues['mt-to-mc']} queued\n`;
  out += `  MC->MT   ${b.bridged['mc-to-mt']} bridged, ${b.queues['mc-to-mt']} queued\n`;
  const drops = Object.entries(b.dropped).filter(([, n]) => n > 0).sort(([a], [c]) => a.localeCompare(c));
  out += `  dropped  ${drops.length === 0 ? 'none' : drops.map(([r, n]) => `${r} ${n}`).join(', ')}\n`;
  return out;
}
