/**
 * Channel keys, names and hashes as the firmware derives them from its channel table (src/mesh/Channels.cpp):
 * `getKey` (PSK expansion), `getName` (empty name = the modem preset's display name), `generateHash`.
 * `compileChannelTable` does all of it once per table so the receive path only compares a byte and runs AES.
 */
import { Channel, Config } from '@meshtastic/protobufs';
import { MeshtasticPresetName, MeshtasticModemPresets, presetDisplayName } from '../../../lib/lora/meshtastic-presets.js';
import { MeshtasticChannelKeyError } from './errors.js';

/** Channels.h defaultpsk: the key behind PSK index 1 ("AQ=="), base64 1PG7OiApB1nwvP+rz05pAQ==. */
export const DEFAULT_PSK: Readonly<Uint8Array> = Uint8Array.of(
  0xd4, 0xf1, 0xbb, 0x3a, 0x20, 0x29, 0x07, 0x59, 0xf0, 0xbc, 0xff, 0xab, 0xcf, 0x4e, 0x69, 0x01,
);

/** The part of LoRaConfig the channel names depend on (and OK_TO_MQTT, used by the cipher). Firmware defaults:
 * LONG_FAST, use_preset true (Channels::initDefaultLoraConfig). */
export type ChannelLoraConfig = Partial<Pick<Config.Config_LoRaConfig, 'usePreset' | 'modemPreset' | 'configOkToMqtt'>>;

/**
 * DisplayFormatters::getModemPresetDisplayName(preset, useShortName=false, usePreset): "Custom" when use_preset
 * is false, "Invalid" for a preset the firmware has no name for (e.g. VERY_LONG_SLOW in 2.7.26).
 */
export function modemPresetDisplayName(lora: ChannelLoraConfig = {}): string {
  if (lora.usePreset === false) return 'Custom';
  const preset = lora.modemPreset ?? Config.Config_LoRaConfig_ModemPreset.LONG_FAST;
  const enumName = Config.Config_LoRaConfig_ModemPreset[preset];
  return enumName !== undefined && enumName in MeshtasticModemPresets ? presetDisplayName(enumName as MeshtasticPresetName) : 'Invalid';
}

/** Channels::getName: the channel's name, or the preset display name when empty. fixupChannel turns the old
 * name "Default" into "" first. */
export function channelName(settingsName: string, lora: ChannelLoraConfig = {}): string {
  const name = settingsName === 'Default' ? '' : settingsName;
  return name === '' ? modemPresetDisplayName(lora) : name;
}

/**
 * Channels::getKey for one PSK: `null` = invalid (DISABLED, no settings); 0 bytes = no encryption; else a 16- or
 * 32-byte AES key. Rules: 1 byte k → 0: no crypto, else defaultpsk with its last byte + (k-1) (mod 256, a uint8_t);
 * 2..15 → zero-padded to 16; 17..31 → zero-padded to 32; 16 and 32 as they are. A SECONDARY with an empty PSK
 * uses the primary's key (resolved by compileChannelTable).
 */
export function expandPsk(psk: Uint8Array, index = 0): Uint8Array {
  const n = psk.length;
  if (n > 32) throw new MeshtasticChannelKeyError(index, n);
  if (n === 0) return new Uint8Array(0);
  if (n === 1) {
    const k = psk[0]!;
    if (k === 0) return new Uint8Array(0);
    const key = Uint8Array.from(DEFAULT_PSK);
    key[15] = (key[15]! + k - 1) & 0xff;
    return key;
  }
  if (n === 16 || n === 32) return Uint8Array.from(psk);
  const key = new Uint8Array(n < 16 ? 16 : 32);
  key.set(psk);
  return key;
}

/** xorHash in Channels.cpp: the XOR of all bytes. */
export function xorHash(bytes: Uint8Array): number {
  let h = 0;
  for (let i = 0; i < bytes.length; i++) h ^= bytes[i]!;
  return h;
}

const utf8 = new TextEncoder();

/** Channels::generateHash: xor(name bytes) ^ xor(expanded key). The header's channel byte. */
export function channelHash(name: string, expandedKey: Uint8Array): number {
  return xorHash(utf8.encode(name)) ^ xorHash(expandedKey);
}

/** One usable channel of a compiled table. */
export interface CompiledChannel {
  index: number;
  /** Channels::getName */
  name: string;
  /** 0 bytes (no encryption), 16 (AES-128) or 32 (AES-256) */
  key: Uint8Array;
  hash: number;
}

/** Indexed by channel index; `undefined` where the firmware's hash is -1 (DISABLED, missing, no settings). */
export type ChannelTable = readonly (CompiledChannel | undefined)[];

/**
 * The firmware's channel table as Channels::onConfigChanged / fixupChannel leave it: every channel's name, key
 * and hash computed once. `channels` is the official Channel list (device side's table as is); entries are placed
 * by their `index`. The primary is the last PRIMARY (onConfigChanged loop), index 0 when there is none.
 */
export function compileChannelTable(channels: readonly Channel.Channel[], lora: ChannelLoraConfig = {}): ChannelTable {
  const byIndex: (Channel.Channel | undefined)[] = [];
  for (const ch of channels) if (Number.isInteger(ch.index) && ch.index >= 0) byIndex[ch.index] = ch;
  let primaryIndex = 0;
  byIndex.forEach((ch, i) => {
    if (ch?.role === Channel.Channel_Role.PRIMARY) primaryIndex = i;
  });
  const usable = (ch: Channel.Channel | undefined): ch is Channel.Channel & { settings: Channel.ChannelSettings } =>
    ch !== undefined && ch.settings !== undefined && ch.role !== Channel.Channel_Role.DISABLED;
  const keyOf = (i: number, depth: number): Uint8Array | null => {
    const ch = byIndex[i];
    if (!usable(ch)) return null;
    const psk = ch.settings.psk;
    // A secondary without a PSK borrows the primary's key; depth guards a table whose "primary" is itself a
    // keyless secondary (no PRIMARY at all), where the firmware would recurse forever.
    if (psk.length === 0 && ch.role === Channel.Channel_Role.SECONDARY) return depth > 0 ? new Uint8Array(0) : keyOf(primaryIndex, depth + 1);
    return expandPsk(psk, i);
  };
  const table: (CompiledChannel | undefined)[] = [];
  for (let i = 0; i < byIndex.length; i++) {
    const ch = byIndex[i];
    const key = keyOf(i, 0);
    if (!usable(ch) || key === null) {
      table.push(undefined);
      continue;
    }
    const name = channelName(ch.settings.name, lora);
    table.push({ index: i, name, key, hash: channelHash(name, key) });
  }
  return table;
}
