/**
 * What the bridge needs to know about each of its two radios, read from the gateway bearers at the moment it is
 * needed (channels, names and contacts change while the relay runs): our own address and name on that mesh, the
 * channel table, the nodes it knows (for `@MC:Bob` addressing) and the LoRa modulation (for airtime estimates).
 */
import type { Bearer } from '../bearer/bearer.js';
import type { TimeOnAirParams } from '../../lib/lora/time-on-air.js';
import { PRESETS } from '../../lib/lora/lattice-presets.js';
import type { KnownNode } from './addressing.js';
import type { MeshNet } from './attribution.js';

/** Gateways that can list the nodes their radio knows (name and whether a public key is known). */
export interface NodeDirectory {
  knownNodes(): KnownNode[];
}

export interface RadioView {
  net: MeshNet;
  bearer: Bearer;
  up: boolean;
  /** Our radio's address on its mesh (`mt:!a1b2c3d4`, `mc:<hex key>`). */
  selfAddress?: string;
  /** The name our radio shows on its mesh (MeshCore prepends it to channel texts). */
  selfName?: string;
  channels: Array<{ index: number; name: string }>;
  nodes: KnownNode[];
  modulation: TimeOnAirParams;
}

/** Used until the radio reports its own parameters: Meshtastic's default preset LongFast, and for MeshCore
 * SF 11 / BW 250 kHz / CR 4/5 (replaced by the SELF_INFO radio fields as soon as the companion is up). */
const DEFAULT_MOD: Record<MeshNet, TimeOnAirParams> = {
  // Meshtastic: 16 preamble symbols (RadioInterface.h preambleLength).
  mt: { spreadingFactor: 11, bandwidthHz: 250_000, codingRate: 5, preambleLength: 16, explicitHeader: true, crcOn: true },
  // MeshCore preamble: 8 symbols assumed (RadioLib's default; not read from the companion protocol).
  mc: { spreadingFactor: 11, bandwidthHz: 250_000, codingRate: 5, preambleLength: 8, explicitHeader: true, crcOn: true },
};

function hasDirectory(b: Bearer): b is Bearer & NodeDirectory {
  return typeof (b as Partial<NodeDirectory>).knownNodes === 'function';
}

/** `LONG_FAST` / `LongFast` → the PRESETS key. */
function presetOf(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const camel = name.includes('_') ? name.toLowerCase().split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') : name;
  return camel in PRESETS ? camel : camel === 'LongMod' ? 'LongModerate' : undefined;
}

export function viewRadio(net: MeshNet, bearer: Bearer): RadioView {
  const st = bearer.status();
  const d = (st.detail ?? {}) as Record<string, unknown>;
  const nodes = hasDirectory(bearer) ? bearer.knownNodes() : [];
  let modulation = DEFAULT_MOD[net];
  if (net === 'mt') {
    const p = presetOf(d.modemPreset);
    if (p) modulation = { ...modulation, ...PRESETS[p]! };
    const channels = ((d.channels as Array<{ index: number; name?: string }> | undefined) ?? []).map((c) => ({ index: c.index, name: c.name ?? '' }));
    const nodeId = typeof d.nodeId === 'string' ? d.nodeId : undefined;
    return {
      net, bearer, up: st.state === 'up', channels, nodes, modulation,
      ...(nodeId ? { selfAddress: `mt:${nodeId}` } : {}),
      ...(typeof d.longName === 'string' ? { selfName: d.longName } : {}),
    };
  }
  const radio = d.radio as { bwKHz?: number; sf?: number; cr?: number } | undefined;
  if (radio?.sf && radio.bwKHz && radio.cr) {
    modulation = { ...modulation, spreadingFactor: radio.sf, bandwidthHz: radio.bwKHz * 1000, codingRate: radio.cr };
  }
  const channels = ((d.channels as Array<{ id: string; name: string }> | undefined) ?? []).map((c) => ({ index: Number(c.id.slice('mc:ch:'.length)), name: c.name }));
  const contacts = nodes.length > 0 ? nodes
    : ((d.contacts as Array<{ id: string; name?: string }> | undefined) ?? []).map((c) => ({ address: c.id, ...(c.name ? { name: c.name } : {}), hasKey: true }));
  return {
    net, bearer, up: st.state === 'up', channels, nodes: contacts, modulation,
    ...(typeof d.publicKey === 'string' ? { selfAddress: `mc:${d.publicKey}` } : {}),
    ...(typeof d.name === 'string' ? { selfName: d.name } : {}),
  };
}

/** Resolves a configured channel (index or name; MeshCore also `public` / `#hashtag`) on a radio's table. */
export function channelIndex(view: RadioView, want: number | string): number | undefined {
  if (typeof want === 'number') return want;
  const w = want.toLowerCase();
  const byName = view.channels.find((c) => c.name.toLowerCase() === w);
  if (byName) return byName.index;
  // MeshCore's well-known public channel is slot 0, named "Public" by the firmware; hashtag channels are named
  // with or without the leading '#' by different apps.
  if (view.net === 'mc' && w === 'public') return view.channels.find((c) => c.index === 0)?.index;
  if (view.net === 'mc' && w.startsWith('#')) return view.channels.find((c) => c.name.toLowerCase() === w.slice(1))?.index;
  return undefined;
}
