/**
 * The chat node's contacts (src/helpers/BaseChatMesh.{h,cpp} contacts[]): MAX_ANON_CONTACTS transient slots first
 * (peers we sent an ANON_REQ to without knowing them, type ADV_TYPE_NONE, never persisted nor listed), then up to
 * MAX_CONTACTS real contacts in insertion order. Lookups scan the anon slots first, as the firmware's single array
 * does. Pure data: who may be added when is BaseChatMesh's policy (./chat-mesh.ts).
 */
import type { Contact } from '../contact-record.js';
import { OUT_PATH_UNKNOWN } from '../codes.js';
import { ADV_TYPE } from '../ota/advert-data.js';

/** BaseChatMesh.h MAX_ANON_CONTACTS. */
export const MAX_ANON_CONTACTS = 8;

/** ContactInfo: the companion record (contact-record.ts) plus what the firmware keeps beside it. */
export interface ContactInfo extends Contact {
  /** Room-server sync point (ContactInfo::sync_since): newest signed post heard from it. */
  syncSince: number;
}

export function newContactInfo(publicKey: Uint8Array, init: Partial<ContactInfo> = {}): ContactInfo {
  return {
    publicKey: publicKey.slice(),
    type: ADV_TYPE.NONE,
    flags: 0,
    outPathLen: OUT_PATH_UNKNOWN,
    outPath: new Uint8Array(64),
    name: '',
    lastAdvert: 0,
    lat: 0,
    lon: 0,
    lastMod: 0,
    syncSince: 0,
    ...init,
  };
}

function startsWith(key: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > key.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

export function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && startsWith(a, b);
}

export class ContactsTable {
  private readonly anon: ContactInfo[] = [];
  private readonly list: ContactInfo[] = [];

  constructor(readonly maxContacts: number) {}

  /** getNumContacts: real contacts only. */
  get size(): number {
    return this.list.length;
  }

  /** The real contacts in order (the ContactsIterator order); the array is live, do not mutate it. */
  all(): readonly ContactInfo[] {
    return this.list;
  }

  /** Anon slots then contacts (searchPeersByHash, lookupContactByPubKey scan both). */
  *everyone(): Iterable<ContactInfo> {
    yield* this.anon;
    yield* this.list;
  }

  /** lookupContactByPubKey(prefix, len). */
  lookup(prefix: Uint8Array): ContactInfo | undefined {
    if (prefix.length === 0) return undefined;
    for (const c of this.everyone()) if (startsWith(c.publicKey, prefix)) return c;
    return undefined;
  }

  /** First contacts whose public key starts with `hash` (searchPeersByHash, at most MAX_SEARCH_RESULTS = 8). */
  searchByHash(hash: number, max = 8): ContactInfo[] {
    const out: ContactInfo[] = [];
    for (const c of this.everyone()) {
      if (c.publicKey[0] === hash) out.push(c);
      if (out.length >= max) break;
    }
    return out;
  }

  isFull(): boolean {
    return this.list.length >= this.maxContacts;
  }

  /** Appends (allocateContactSlot's free-slot branch); the caller has checked isFull. */
  push(c: ContactInfo): void {
    this.list.push(c);
  }

  /**
   * allocateContactSlot with overwrite: the oldest (lastmod) non-favourite contact, removed and returned so the
   * caller can announce it (onContactOverwrite); undefined when every contact is a favourite.
   */
  evictOldest(): ContactInfo | undefined {
    let oldest = -1;
    for (let i = 0; i < this.list.length; i++) {
      const c = this.list[i];
      if ((c.flags & 0x01) === 0 && (oldest < 0 || c.lastMod < this.list[oldest].lastMod)) oldest = i;
    }
    if (oldest < 0) return undefined;
    return this.list.splice(oldest, 1)[0];
  }

  /** allocateContactSlot(transient_only): an ANON slot, reusing the one with the oldest lastmod when all are taken. */
  putAnon(c: ContactInfo): void {
    if (this.anon.length < MAX_ANON_CONTACTS) {
      this.anon.push(c);
      return;
    }
    let oldest = 0;
    for (let i = 1; i < this.anon.length; i++) if (this.anon[i].lastMod < this.anon[oldest].lastMod) oldest = i;
    this.anon[oldest] = c;
  }

  /** Drops a transient slot (onAdvertRecv: the anon peer advertised, it becomes a normal contact). */
  dropAnon(c: ContactInfo): void {
    const i = this.anon.indexOf(c);
    if (i >= 0) this.anon.splice(i, 1);
  }

  isAnon(c: ContactInfo): boolean {
    return this.anon.includes(c);
  }

  /** removeContact: by full key, real or anon. */
  remove(publicKey: Uint8Array): ContactInfo | undefined {
    let i = this.list.findIndex((c) => sameKey(c.publicKey, publicKey));
    if (i >= 0) return this.list.splice(i, 1)[0];
    i = this.anon.findIndex((c) => sameKey(c.publicKey, publicKey));
    if (i >= 0) return this.anon.splice(i, 1)[0];
    return undefined;
  }

  /** DataStore::loadContacts / formatFileSystem. */
  replaceAll(contacts: ContactInfo[]): void {
    this.list.length = 0;
    this.anon.length = 0;
    for (const c of contacts.slice(0, this.maxContacts)) this.list.push(c);
  }
}
