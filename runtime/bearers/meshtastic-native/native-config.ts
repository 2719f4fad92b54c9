/**
 * The `meshtastic:` block of a `lora:` entry with `protocol: meshtastic` (runtime/bearers/lora/lora-config.ts): who
 * the native node is on the mesh (role, names, node number), its channel table, the client API address and hop
 * limit. Its schema piece and defaults; native-from-config.ts maps it to the node's init.
 *
 * Limits are the firmware's (nanopb max_size in mesh.proto/channel.proto options, src/mesh/Channels.cpp,
 * src/mesh/NodeDB.cpp): long name 39 bytes, short name 4 bytes, channel name 11 bytes, 8 channels, hop limit 0..7,
 * PSK 0/1/16/32 bytes, node numbers 0..3 and 0xFFFFFFFF reserved (NUM_RESERVED, NODENUM_BROADCAST).
 */
import { parseHostPort } from '../../config/host-port.js';
import { child, fail, int, INVALID, list, object, oneOf, str, type Check } from '../../config/schema-kit.js';

/** The roles a native node may play (config.proto DeviceConfig.Role; the ones that concern routing). */
export const NATIVE_ROLES = ['CLIENT', 'CLIENT_MUTE', 'ROUTER', 'ROUTER_LATE', 'REPEATER'] as const;
export type NativeRole = (typeof NATIVE_ROLES)[number];

/** One slot of the channel table; index 0 is the primary channel. */
export interface NativeChannelConfig {
  /** As the apps show it; empty = the preset's name (the firmware's default primary channel). */
  name: string;
  /** The key as the apps show it, base64: `AQ==` the default key, `AA==` or empty no encryption, 16 or 32 bytes AES. */
  psk: string;
  /** module_settings.position_precision: how precisely this channel shares our position (0 = not at all, the
   * firmware's default; 10..19 bits blur it to a cell of 23.3 km..45 m; 32 exact, at most 15 on a public key). */
  positionPrecision?: number;
}

export interface MeshtasticNativeConfig {
  role: NativeRole;
  /** Default `Meshtastic xxxx` (the last four hex digits of the node number), as the firmware names a new node. */
  longName?: string;
  /** Default the last four hex digits of the node number. */
  shortName?: string;
  channels: NativeChannelConfig[];
  /** The firmware's client API over TCP (4403 as meshtasticd); `false` in the file turns it off. */
  api?: { host: string; port: number };
  /** Overrides the node number derived from the public key. */
  nodeNum?: number;
  /** Hop limit of packets we originate when a client gives none (config.lora.hop_limit; the firmware's default 3). */
  hopLimit: number;
}

/** The firmware's defaults (NodeDB::installDefaultConfig, Channels::initDefaults: one primary channel, default key). */
export const NATIVE_DEFAULTS: MeshtasticNativeConfig = {
  role: 'CLIENT',
  channels: [{ name: '', psk: 'AQ==' }],
  api: { host: '127.0.0.1', port: 4403 },
  hopLimit: 3,
};

/** NODENUM_BROADCAST (mesh.proto) and NUM_RESERVED (NodeDB.h: 0..3 are never a node). */
const NODENUM_BROADCAST = 0xffffffff;
const NUM_RESERVED = 4;

const utf8Len = (s: string) => Buffer.byteLength(s, 'utf8');

function utf8Max(max: number, what: string): Check {
  const s = str({ max: 256 });
  return (value, path, issues) => {
    const v = s(value, path, issues);
    if (v === INVALID) return INVALID;
    if (utf8Len(v as string) > max) return fail(issues, path, `must be at most ${max} bytes in UTF-8 (${what}), has ${utf8Len(v as string)}`);
    return v;
  };
}

/** A channel name may be empty (the primary channel then takes the preset's name), at most 11 bytes. */
const channelName: Check = (value, path, issues) => {
  if (value === '' || value === null) return '';
  return utf8Max(11, 'the firmware keeps 11')(value, path, issues);
};

/** Base64 as the apps show it; the decoded length decides what the key is (Channels::getKey). */
const psk: Check = (value, path, issues) => {
  if (value === '' || value === null) return '';
  const s = str({ max: 64 })(value, path, issues);
  if (s === INVALID) return INVALID;
  const text = (s as string).trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    return fail(issues, path, 'must be base64 as the apps show it (AQ== is the default key, AA== no encryption)');
  }
  const n = Buffer.from(text, 'base64').length;
  // The firmware pads other lengths with zeros and logs a warning; a config is better refused than silently padded.
  if (![0, 1, 16, 32].includes(n)) return fail(issues, path, `decodes to ${n} bytes; a key is 1 byte (AQ== default, AA== none), 16 bytes (AES-128) or 32 bytes (AES-256)`);
  return text;
};

/** A node number as a number or as the apps write it (`!a1b2c3d4`). */
const nodeNum: Check = (value, path, issues) => {
  let v = value;
  if (typeof v === 'string' && /^!?[0-9a-f]{8}$/i.test(v.trim())) v = parseInt(v.trim().replace(/^!/, ''), 16);
  const n = int({ min: 0, max: 0xffffffff })(v, path, issues);
  if (n === INVALID) return INVALID;
  if ((n as number) < NUM_RESERVED || n === NODENUM_BROADCAST) {
    return fail(issues, path, `${n} is reserved (0..3 and 0xffffffff = broadcast are no node's number)`);
  }
  return n;
};

/** A native node's client port: `HOST:PORT` (or a port alone, on loopback), or `false` / `off` for none. */
export function clientAddressOrOff(example: string): Check {
  return (value, path, issues) => {
    if (value === false || value === 'off') return false;
    if (typeof value !== 'string' && typeof value !== 'number') return fail(issues, path, `must be HOST:PORT (e.g. ${example}), a port, or false`);
    const hp = parseHostPort(String(value));
    if (typeof hp === 'string') return fail(issues, path, hp);
    return { host: hp.host ?? '127.0.0.1', port: hp.port };
  };
}

/** `api: HOST:PORT`; `api: false` turns the client API off. */
const api = clientAddressOrOff('127.0.0.1:4403');

const channel = object({ name: channelName, psk, positionPrecision: int({ min: 0, max: 32 }) }, { required: ['psk'] });

export const meshtasticNativeSchema = object({
  role: oneOf(NATIVE_ROLES),
  longName: utf8Max(39, 'User.long_name holds 39'),
  shortName: utf8Max(4, 'User.short_name holds 4'),
  // Channels.h MAX_NUM_CHANNELS = 8; slot 0 is the primary.
  channels: list(channel, { max: 8 }),
  api,
  nodeNum,
  // The on-air header keeps hop_limit in 3 bits; 0 = only nodes in range hear us.
  hopLimit: int({ min: 0, max: 7 }),
}, {
  refine: (v, path, issues) => {
    const chans = v.channels as NativeChannelConfig[] | undefined;
    if (chans && chans.length === 0) fail(issues, child(path, 'channels'), 'needs at least the primary channel (index 0)');
  },
});

/** The block with defaults; `api: false` becomes absent. */
export function finishNative(block: Partial<Omit<MeshtasticNativeConfig, 'api'>> & { api?: MeshtasticNativeConfig['api'] | false } | undefined): MeshtasticNativeConfig {
  const merged: Record<string, unknown> = { ...structuredClone(NATIVE_DEFAULTS), ...(block ?? {}) };
  if (merged.api === false) delete merged.api;
  return merged as unknown as MeshtasticNativeConfig;
}
