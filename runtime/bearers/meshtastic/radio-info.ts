/**
 * The typed view of a Meshtastic companion radio (runtime/bearer/radio-gateway.ts RadioInfo) from what its session
 * learned in the want_config handshake: MyNodeInfo and the radio's own NodeInfo (identity), DeviceMetadata
 * (firmware, hardware), the enabled channel slots, the NodeDB and the LoRa config (region, modem preset).
 */
import type { DeviceInfo } from '../../../firmware-protocol/meshtastic/session-types.js';
import type { NodeEntry } from '../../../firmware-protocol/meshtastic/node-db.js';
import { channelAddress, nodeAddress } from '../../../firmware-protocol/meshtastic/node-id.js';
import type { RadioChannel, RadioModulation, RadioNode, RadioSelf } from '../../bearer/radio-gateway.js';
import { PRESETS } from '../../../lib/lora/lattice-presets.js';

/** Meshtastic's preamble: 16 symbols on every preset (RadioInterface.h preambleLength). */
export const MESHTASTIC_PREAMBLE = 16;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export function selfOf(info: DeviceInfo, me: NodeEntry | undefined): RadioSelf {
  return {
    address: nodeAddress(info.myNodeNum), nodeNum: info.myNodeNum,
    ...(info.longName ? { name: info.longName } : {}),
    ...(info.shortName ? { shortName: info.shortName } : {}),
    ...(me?.publicKey ? { publicKey: hex(me.publicKey) } : {}),
    ...(info.role ? { role: info.role } : {}),
    ...(info.firmwareVersion ? { firmware: info.firmwareVersion } : {}),
    ...(info.hwModel ? { hardware: info.hwModel } : {}),
  };
}

/** The handshake reports enabled slots only: each of them is usable. */
export function channelsOf(info: DeviceInfo): RadioChannel[] {
  return info.channels.map((c) => ({ index: c.index, name: c.name, address: channelAddress(c.index), usable: true }));
}

export function nodesOf(nodes: NodeEntry[], myNodeNum: number): RadioNode[] {
  return nodes.filter((n) => n.num !== myNodeNum).map((n) => ({
    address: nodeAddress(n.num),
    ...(n.longName ? { name: n.longName } : {}),
    ...(n.shortName ? { shortName: n.shortName } : {}),
    ...(n.publicKey ? { publicKey: hex(n.publicKey) } : {}),
    ...(n.lastHeard ? { lastHeard: n.lastHeard * 1000 } : {}),
    ...(n.hopsAway !== undefined ? { hops: n.hopsAway } : {}),
    ...(n.hopsAway === 0 && n.snr ? { snr: n.snr } : {}),
    ...(n.latitude !== undefined && n.longitude !== undefined ? { position: { lat: n.latitude, lon: n.longitude } } : {}),
  }));
}

/** `LONG_FAST` / `LongFast` → the PRESETS key (lib/lora/lattice-presets.ts has Meshtastic's parameters). */
function presetKey(name: string): string | undefined {
  const camel = name.includes('_') ? name.toLowerCase().split('_').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') : name;
  return camel in PRESETS ? camel : camel === 'LongMod' ? 'LongModerate' : undefined;
}

/** The modem preset's parameters (config.lora.modem_preset); undefined before the handshake or for a preset we do not know. */
export function modulationOf(info: DeviceInfo): RadioModulation | undefined {
  const key = info.modemPreset ? presetKey(info.modemPreset) : undefined;
  if (!key) return undefined;
  const p = PRESETS[key]!;
  return {
    bandwidthHz: p.bandwidthHz, spreadingFactor: p.spreadingFactor, codingRate: p.codingRate, preambleLength: MESHTASTIC_PREAMBLE,
    preset: info.modemPreset!, ...(info.region ? { region: info.region } : {}),
  };
}
