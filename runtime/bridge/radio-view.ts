/**
 * What the bridge needs to know about each of its two radios, read from the gateway's typed view
 * (runtime/bearer/radio-gateway.ts `radio()`) at the moment it is needed (channels, names and contacts change while the
 * relay runs): our own address and name on that mesh, the usable channels, the nodes it knows (for `@MC:Bob`
 * addressing) and the LoRa modulation (for airtime estimates), with the mesh's defaults where the radio does not say.
 * The shape is also what the bridge keeps on disk as the last view of a radio seen up (radio-snapshots.ts).
 */
import type { TimeOnAirParams } from '../../lib/lora/time-on-air.js';
import type { RadioGateway } from '../bearer/radio-gateway.js';
import type { KnownNode } from './addressing.js';
import type { MeshNet } from './attribution.js';

export interface RadioView {
  net: MeshNet;
  /** The gateway's bearer name (`meshtastic0`). */
  name: string;
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

export function viewRadio(net: MeshNet, gateway: RadioGateway): RadioView {
  const r = gateway.radio();
  const m = r.modulation;
  return {
    net,
    name: r.name,
    up: r.link.state === 'up',
    channels: r.channels.filter((c) => c.usable).map((c) => ({ index: c.index, name: c.name })),
    nodes: r.nodes.map((n) => ({ address: n.address, ...(n.name ? { name: n.name } : {}), hasKey: n.publicKey !== undefined })),
    modulation: m
      ? { ...DEFAULT_MOD[net], spreadingFactor: m.spreadingFactor, bandwidthHz: m.bandwidthHz, codingRate: m.codingRate, ...(m.preambleLength ? { preambleLength: m.preambleLength } : {}) }
      : DEFAULT_MOD[net],
    ...(r.self ? { selfAddress: r.self.address } : {}),
    ...(r.self?.name ? { selfName: r.self.name } : {}),
  };
}

/** Resolves a configured channel (index or name; MeshCore also `public` / `#hashtag`) on a radio's table. */
export function channelIndex(view: Pick<RadioView, 'net' | 'channels'>, want: number | string): number | undefined {
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
