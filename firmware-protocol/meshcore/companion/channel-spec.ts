/**
 * Channels as a relay's config names them (`meshcore.channels: [{ name: public }, { name: '#de' }, { name: ops,
 * key: … }]`) turned into slot contents: "public" is the firmware's slot-0 channel (PUBLIC_GROUP_PSK), '#name' a
 * hashtag channel (SHA-256("#name")[0..16], the app convention), anything else needs an explicit 16-byte key in hex
 * (32 digits) or base64 (the firmware's PSK form, MyMesh addChannel). Applied to a ChannelTable: Public stays in
 * slot 0, the others fill the free slots in order.
 */
import { hashtagChannelSecret, PUBLIC_CHANNEL_SECRET } from '../channel-secret.js';
import type { ChannelTable } from './channel-table.js';
import { CompanionChannelSpecError } from './errors.js';

export interface ChannelSpec {
  name: string;
  key?: string;
}

export function resolveChannel(spec: ChannelSpec): { name: string; secret: Uint8Array } {
  const name = spec.name.trim();
  if (!spec.key) {
    if (name.toLowerCase() === 'public') return { name: 'Public', secret: PUBLIC_CHANNEL_SECRET.slice() };
    if (name.startsWith('#') && name.length > 1) return { name, secret: hashtagChannelSecret(name) };
    throw new CompanionChannelSpecError(spec.name, "needs a key (16 bytes, hex or base64) unless it is 'public' or a '#hashtag'");
  }
  const k = spec.key.trim();
  let secret: Uint8Array | undefined;
  if (/^[0-9a-fA-F]{32}$/.test(k)) secret = Uint8Array.from(Buffer.from(k, 'hex'));
  else if (/^[A-Za-z0-9+/]{22}(==)?$/.test(k)) secret = Uint8Array.from(Buffer.from(k, 'base64'));
  if (!secret || secret.length !== 16) throw new CompanionChannelSpecError(spec.name, 'the key must be 16 bytes as 32 hex digits or base64');
  if (Buffer.byteLength(name) > 31 || name.length === 0) throw new CompanionChannelSpecError(spec.name, 'a channel name is 1 to 31 bytes');
  return { name, secret };
}

/** Puts configured channels into the table (a channel already present by key is left where it is). */
export function applyChannels(table: ChannelTable, specs: readonly ChannelSpec[]): void {
  for (const spec of specs) {
    const c = resolveChannel(spec);
    if (table.findIndex(c.secret) >= 0) continue;
    const free = table.all().find((s) => s.index > 0 && s.name === '' && s.secret.every((b) => b === 0));
    if (!free) throw new CompanionChannelSpecError(spec.name, `no free channel slot (${table.maxChannels} slots)`);
    table.set(free.index, c.name, c.secret);
  }
}
