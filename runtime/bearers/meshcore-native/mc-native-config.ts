/**
 * The `meshcore:` block of a `lora:` entry with `protocol: meshcore` (runtime/bearers/lora/lora-config.ts): who the
 * native MeshCore node is (a repeater serving the companion protocol, or a companion alone), its channels, the
 * companion TCP port, the admin and guest passwords for remote login over the air, and the region scope of its
 * floods. Its schema piece and defaults; mc-settings.ts maps it to the node's init.
 *
 * Limits are the firmware's (src/helpers/CommonCLI.h NodePrefs: node_name[32], password[16], guest_password[16];
 * src/helpers/ChannelDetails.h name[32]; companion_radio MAX_GROUP_CHANNELS 40): a name of at most 31 bytes, a
 * password of at most 15, 40 channels whose secret is 16 bytes.
 */
import { child, fail, INVALID, list, object, oneOf, str, type Check } from '../../config/schema-kit.js';
import { clientAddressOrOff } from '../meshtastic-native/native-config.js';

/** `repeater`: forwards floods and direct packets (simple_repeater) and serves the companion protocol on the same
 * identity; `companion`: the companion alone (companion_radio: no forwarding, adverts of type chat). */
export const MC_ROLES = ['repeater', 'companion'] as const;
export type McRole = (typeof MC_ROLES)[number];

/** One channel: `public` (the well-known key), `#name` (hashtag: SHA-256 of the name), or a name with its key. */
export interface McChannelConfig {
  name: string;
  /** 16-byte secret as 32 hex characters or base64; absent for `public` and `#name`. */
  key?: string;
}

export interface MeshcoreNativeConfig {
  role: McRole;
  /** The advert name; default the firmware's for a new node (mc-settings.ts). */
  name?: string;
  channels: McChannelConfig[];
  /** The companion protocol over TCP (the firmware's port 5000); `false` in the file turns it off. */
  companion?: { host: string; port: number };
  /** Remote admin over the air (ANON_REQ login); absent = no admin login is accepted. */
  adminPassword?: string;
  /** Guest login (read-only); absent = none. */
  guestPassword?: string;
  /** Region scope (`#de`) whose transport codes our floods carry; null = unscoped. */
  region: string | null;
}

export const MC_NATIVE_DEFAULTS: MeshcoreNativeConfig = {
  role: 'repeater',
  // The companion firmware starts with the public channel in slot 0 (MyMesh::begin addChannel("Public", PSK)).
  channels: [{ name: 'public' }],
  companion: { host: '127.0.0.1', port: 5000 },
  region: null,
};

/** MAX_GROUP_CHANNELS of the companion firmware (variants' platformio.ini: 40). */
export const MC_MAX_CHANNELS = 40;

const utf8Len = (s: string) => Buffer.byteLength(s, 'utf8');

function utf8Max(max: number, what: string, opts: { secret?: boolean } = {}): Check {
  const s = str({ max: 256, ...opts });
  return (value, path, issues) => {
    const v = s(value, path, issues);
    if (v === INVALID) return INVALID;
    if (utf8Len(v as string) > max) return fail(issues, path, `must be at most ${max} bytes in UTF-8 (${what}), has ${utf8Len(v as string)}`);
    return v;
  };
}

/** A 16-byte secret: 32 hex characters or base64 (as the app shares it). */
export function decodeChannelKey(text: string): Uint8Array | undefined {
  const t = text.trim();
  if (/^[0-9a-f]{32}$/i.test(t)) return new Uint8Array(Buffer.from(t, 'hex'));
  if (/^[A-Za-z0-9+/]{22}==$/.test(t)) return new Uint8Array(Buffer.from(t, 'base64'));
  return undefined;
}

const channelName = utf8Max(31, 'ChannelDetails.name holds 31');

const channelKey: Check = (value, path, issues) => {
  const s = str({ max: 64, secret: true })(value, path, issues);
  if (s === INVALID) return INVALID;
  if (!decodeChannelKey(s as string)) return fail(issues, path, 'must be a 16-byte channel secret: 32 hex characters or base64 (the value is not shown)');
  return (s as string).trim();
};

const channelObject = object({ name: channelName, key: channelKey }, {
  required: ['name'],
  refine: (v, path, issues) => {
    const name = v.name as string;
    const special = name.toLowerCase() === 'public' || name.startsWith('#');
    if (!special && v.key === undefined) fail(issues, child(path, 'key'), `is required for channel ${JSON.stringify(name)} (only public and #hashtag channels derive their key)`);
    if (name.startsWith('#') && name.length < 2) fail(issues, child(path, 'name'), 'a hashtag channel needs a name after #');
  },
});

/** `public`, `'#name'`, or `{ name, key }`. */
const channel: Check = (value, path, issues) => {
  if (typeof value === 'string') return channelObject({ name: value }, path, issues);
  return channelObject(value, path, issues);
};

/** `companion: HOST:PORT`; `false` turns the companion port off. */
const companion = clientAddressOrOff('127.0.0.1:5000');

/** `null` (unscoped) or `#name` (TransportKeyStore auto key of the region). */
const region: Check = (value, path, issues) => {
  if (value === null || value === 'null' || value === '') return null;
  return str({ pattern: /^#[a-z0-9-]{1,30}$/i, hint: 'must be a #region name (e.g. #de) or null' })(value, path, issues);
};

const password = (what: string) => utf8Max(15, `NodePrefs.${what}[16] holds 15`, { secret: true });

export const meshcoreNativeSchema = object({
  role: oneOf(MC_ROLES),
  name: utf8Max(31, 'NodePrefs.node_name holds 31'),
  channels: list(channel, { max: MC_MAX_CHANNELS }),
  companion,
  adminPassword: password('password'),
  guestPassword: password('guest_password'),
  region,
}, {
  refine: (v, path, issues) => {
    const chans = v.channels as McChannelConfig[] | undefined;
    const seen = new Set<string>();
    chans?.forEach((c, i) => {
      const k = c.name.toLowerCase();
      if (seen.has(k)) fail(issues, child(child(path, 'channels'), i), `${JSON.stringify(c.name)} is listed twice`);
      seen.add(k);
    });
    if (v.role === 'companion') {
      for (const key of ['adminPassword', 'guestPassword'] as const) {
        if (v[key] !== undefined) fail(issues, child(path, key), 'is a repeater\'s login; a companion takes no remote login (role: repeater)');
      }
    }
    if (v.adminPassword !== undefined && v.adminPassword === v.guestPassword) fail(issues, child(path, 'guestPassword'), 'must differ from adminPassword (the repeater would log every guest in as admin)');
  },
});

/** The block with defaults; `companion: false` becomes absent. */
export function finishMeshcoreNative(block: Partial<Omit<MeshcoreNativeConfig, 'companion'>> & { companion?: MeshcoreNativeConfig['companion'] | false } | undefined): MeshcoreNativeConfig {
  const merged: Record<string, unknown> = { ...structuredClone(MC_NATIVE_DEFAULTS), ...(block ?? {}) };
  if (merged.companion === false) delete merged.companion;
  return merged as unknown as MeshcoreNativeConfig;
}
