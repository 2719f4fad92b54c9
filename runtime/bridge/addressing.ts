/**
 * Cross-mesh direct messages by addressing: a DM to the relay on one mesh that starts with `@MC:Bob ` (or
 * `@MT:Alice `) is re-sent as a DM to that node on the other mesh. Names may contain spaces: quote them
 * (`@MC:"Bob Smith" hi`) or rely on the longest known name that the text starts with. Hex key prefixes
 * (`@MC:a1b2c3`) and Meshtastic node ids (`@MT:!a1b2c3d4`) work too.
 */
import type { MeshNet } from './attribution.js';

export interface AddressedText {
  net: MeshNet;
  target: string;
  text: string;
}

export interface KnownNode {
  /** Foreign address: `mc:<hex>` or `mt:!xxxxxxxx`. */
  address: string;
  name?: string;
  /** Public key present (needed for DMs on both meshes). */
  hasKey: boolean;
}

export type Resolution =
  | { ok: true; node: KnownNode }
  | { ok: false; reason: 'unknown' | 'ambiguous' | 'no-key'; reply: string; candidates: KnownNode[] };

const HEAD = /^@(MC|MT):/i;

/** Parses an addressed DM; undefined when the text is not addressed. `names` helps split unquoted names with spaces. */
export function parseAddressed(text: string, names: string[] = []): AddressedText | undefined {
  const m = HEAD.exec(text.trimStart());
  if (!m) return undefined;
  const net = m[1]!.toLowerCase() as MeshNet;
  const rest = text.trimStart().slice(m[0].length);
  if (rest.startsWith('"')) {
    const end = rest.indexOf('"', 1);
    if (end < 0) return undefined;
    return { net, target: rest.slice(1, end), text: rest.slice(end + 1).trim() };
  }
  const lower = rest.toLowerCase();
  const byLength = names.filter((n) => n.length > 0).sort((a, b) => b.length - a.length);
  for (const n of byLength) {
    const nl = n.toLowerCase();
    if (lower === nl || lower.startsWith(nl + ' ')) return { net, target: rest.slice(0, n.length), text: rest.slice(n.length).trim() };
  }
  const sp = rest.search(/\s/);
  return sp < 0 ? { net, target: rest, text: '' } : { net, target: rest.slice(0, sp), text: rest.slice(sp + 1).trim() };
}

const NET_NAME: Record<MeshNet, string> = { mc: 'MeshCore', mt: 'Meshtastic' };

export function resolveTarget(net: MeshNet, target: string, nodes: KnownNode[]): Resolution {
  const t = target.toLowerCase();
  const label = (n: KnownNode) => n.name ?? n.address;
  let matches = nodes.filter((n) => n.name?.toLowerCase() === t || n.address.toLowerCase() === `${net}:${t}`);
  if (matches.length === 0) {
    matches = nodes.filter(
      (n) => n.name?.toLowerCase().startsWith(t) || (t.length >= 4 && n.address.toLowerCase().startsWith(`${net}:${t}`)),
    );
  }
  if (matches.length === 0) {
    const known = nodes.slice(0, 5).map(label).join(', ');
    return { ok: false, reason: 'unknown', candidates: [], reply: `bridge: no ${NET_NAME[net]} node named "${target}"${known ? ` (known: ${known}${nodes.length > 5 ? ', …' : ''})` : ''}` };
  }
  if (matches.length > 1) {
    return { ok: false, reason: 'ambiguous', candidates: matches, reply: `bridge: "${target}" matches ${matches.length} ${NET_NAME[net]} nodes: ${matches.slice(0, 5).map(label).join(', ')} — use more of the name` };
  }
  const node = matches[0]!;
  if (!node.hasKey) {
    return { ok: false, reason: 'no-key', candidates: [node], reply: `bridge: ${NET_NAME[net]} node ${label(node)} has no public key yet (wait for its advert / NodeInfo), cannot send a DM` };
  }
  return { ok: true, node };
}
