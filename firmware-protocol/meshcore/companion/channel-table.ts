/**
 * The chat node's group channels (BaseChatMesh channels[MAX_GROUP_CHANNELS], ChannelDetails): a fixed number of
 * slots, slot 0 seeded with "Public" and the well-known PSK (MyMesh::begin addChannel("Public", PUBLIC_GROUP_PSK)).
 * A slot's hash byte is SHA-256(secret)[0] over 16 bytes (128-bit keys, the only size CMD_SET_CHANNEL accepts) or
 * 32 (BaseChatMesh::setChannel). Unset slots match no packet (the firmware's zeroed slots carry hash 0 and an
 * all-zero key; we skip them instead of trying that key on every channel-hash-0 packet).
 */
import { createHash } from 'node:crypto';
import { PUBLIC_CHANNEL_SECRET } from '../channel-secret.js';

export interface ChannelSlot {
  index: number;
  name: string;
  /** 16 bytes (a 128-bit key) or 32. */
  secret: Uint8Array;
  hash: number;
}

export function channelSlotHash(secret: Uint8Array): number {
  const is32 = secret.length >= 32 && secret.subarray(16, 32).some((b) => b !== 0);
  return createHash('sha256').update(secret.subarray(0, is32 ? 32 : 16)).digest()[0];
}

export function isUnsetChannel(c: { name: string; secret: Uint8Array }): boolean {
  return c.name === '' && c.secret.every((b) => b === 0);
}

export class ChannelTable {
  private readonly slots: ChannelSlot[];

  constructor(readonly maxChannels: number) {
    this.slots = Array.from({ length: maxChannels }, (_, index) => ({ index, name: '', secret: new Uint8Array(16), hash: 0 }));
    this.reset();
  }

  /** Empties every slot and seeds slot 0 with Public (begin() before loadChannels, and after a factory reset). */
  reset(): void {
    for (let i = 0; i < this.slots.length; i++) this.slots[i] = { index: i, name: '', secret: new Uint8Array(16), hash: 0 };
    if (this.slots.length > 0) this.set(0, 'Public', PUBLIC_CHANNEL_SECRET);
  }

  /** getChannel: any index below MAX_GROUP_CHANNELS, set or not. */
  get(index: number): ChannelSlot | undefined {
    return this.slots[index];
  }

  /** setChannel: false for an index out of range. */
  set(index: number, name: string, secret: Uint8Array): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.slots.length) return false;
    const s = secret.slice(0, 32);
    this.slots[index] = { index, name, secret: s, hash: isUnsetChannel({ name, secret: s }) ? 0 : channelSlotHash(s) };
    return true;
  }

  /** searchChannelsByHash. */
  searchByHash(hash: number): ChannelSlot[] {
    return this.slots.filter((s) => !isUnsetChannel(s) && s.hash === hash);
  }

  /** findChannelIdx: the first slot holding this secret; -1 when none (the firmware then reports 0xFF). */
  findIndex(secret: Uint8Array): number {
    return this.slots.findIndex((s) => !isUnsetChannel(s) && s.secret.length === secret.length && s.secret.every((b, i) => b === secret[i]));
  }

  /** The first slot with this exact name (config: `channels: [{ name: public }]`). */
  findByName(name: string): ChannelSlot | undefined {
    return this.slots.find((s) => s.name.toLowerCase() === name.toLowerCase() && !isUnsetChannel(s));
  }

  all(): readonly ChannelSlot[] {
    return this.slots;
  }
}
