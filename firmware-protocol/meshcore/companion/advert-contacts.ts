/**
 * Adverts → contacts (src/helpers/BaseChatMesh.cpp onAdvertRecv, allocateContactSlot, importContact,
 * shareContactZeroHop, exportContact, addContact, removeContact): learn or refresh a contact from a signed advert,
 * keep its raw advert for share/export, and the edits the device makes to the table.
 */
import { toHex } from '../bytes.js';
import type { ReceivedPacket } from '../mesh/mesh-handler.js';
import { ADV_TYPE, decodeAdvertData } from '../ota/advert-data.js';
import { verifySignature } from '../ota/identity.js';
import { decodePacket, encodePacket, packetHash, PAYLOAD_TYPE, PUB_KEY_SIZE, ROUTE_TYPE, SIGNATURE_SIZE, type McPacket } from '../ota/packet.js';
import type { ChatMesh } from './chat-mesh.js';
import { u32le } from './chat-paths.js';
import { newContactInfo, type ContactInfo } from './contacts-table.js';

/**
 * Packet hashes of adverts processed by importContact: the firmware loops an import back through onRecvPacket,
 * which marks its hash seen, so the same advert heard later over the air is a duplicate. Bounded.
 */
export class AdvertImports {
  readonly hashes: string[] = [];
  active = false;

  remember(p: McPacket): void {
    this.hashes.push(toHex(packetHash(p)));
    if (this.hashes.length > 32) this.hashes.shift();
  }

  /** An advert heard over the air that an import already processed. */
  isReplayOfImport(p: McPacket): boolean {
    return this.hashes.length > 0 && !this.active && this.hashes.includes(toHex(packetHash(p)));
  }
}

/** shareContactZeroHop: the stored advert, zero-hop with transport codes {0,0} ("send this nowhere" further). */
export function shareContactZeroHop(chat: ChatMesh, c: ContactInfo): boolean {
  const blob = chat.advertBlobs.get(toHex(c.publicKey));
  if (!blob) return false;
  let p: McPacket;
  try {
    p = decodePacket(blob);
  } catch {
    return false;
  }
  chat.mesh.sendZeroHop({ ...p, path: new Uint8Array(0) }, { transportCodes: [0, 0] });
  return true;
}

/**
 * importContact: a raw ADVERT packet processed as if heard by flood (the firmware loops it back through
 * onRecvPacket after clearing its hash from the tables). We verify its signature here as Mesh::onRecvPacket
 * would: a bad one is accepted (OK) and silently dropped, as on the radio.
 */
export function importContact(chat: ChatMesh, raw: Uint8Array): boolean {
  let p: McPacket;
  try {
    p = decodePacket(raw);
  } catch {
    return false;
  }
  if (p.payloadType !== PAYLOAD_TYPE.ADVERT) return false;
  const pl = p.payload;
  if (pl.length < PUB_KEY_SIZE + 4 + SIGNATURE_SIZE) return true;
  const publicKey = pl.slice(0, PUB_KEY_SIZE);
  const timestamp = u32le(pl, PUB_KEY_SIZE);
  const appData = pl.slice(PUB_KEY_SIZE + 4 + SIGNATURE_SIZE);
  const signed = new Uint8Array(PUB_KEY_SIZE + 4 + appData.length);
  signed.set(pl.subarray(0, PUB_KEY_SIZE + 4));
  signed.set(appData, PUB_KEY_SIZE + 4);
  if (!verifySignature(publicKey, signed, pl.subarray(PUB_KEY_SIZE + 4, PUB_KEY_SIZE + 4 + SIGNATURE_SIZE))) return true;
  const packet: McPacket = { ...p, routeType: p.routeType === ROUTE_TYPE.DIRECT || p.routeType === ROUTE_TYPE.TRANSPORT_DIRECT ? ROUTE_TYPE.FLOOD : p.routeType };
  chat.imports.remember(p);
  const rx: ReceivedPacket = { packet, raw: raw.slice(), snrDb: 0, rssiDbm: 0, receivedAt: Date.now() };
  chat.imports.active = true;
  try {
    onAdvertRecv(chat, rx, { publicKey, timestamp, appData });
  } finally {
    chat.imports.active = false;
  }
  return true;
}

/** BaseChatMesh::onAdvertRecv (+ allocateContactSlot): learn or refresh a contact; replays are dropped. */
export function onAdvertRecv(chat: ChatMesh, rx: ReceivedPacket, advert: { publicKey: Uint8Array; timestamp: number; appData: Uint8Array }): void {
  const app = chat.app;
  const parsed = decodeAdvertData(advert.appData);
  if (!parsed || !parsed.name) return;
  if (chat.imports.isReplayOfImport(rx.packet)) return;
  let from = chat.contacts.lookup(advert.publicKey);
  if (from && advert.timestamp <= from.lastAdvert) return; // replay check
  // The raw advert, saved with route FLOOD and without transport codes (for Share / Export).
  const blob = encodePacket({ ...rx.packet, routeType: ROUTE_TYPE.FLOOD, transportCodes: [0, 0] });
  if (from && chat.contacts.isAnon(from)) {
    chat.contacts.dropAnon(from);
    from = undefined;
  }
  const populate = (): ContactInfo => newContactInfo(advert.publicKey, {
    type: parsed.type, name: parsed.name ?? '', lat: parsed.lat !== undefined ? Math.round(parsed.lat * 1e6) : 0,
    lon: parsed.lon !== undefined ? Math.round(parsed.lon * 1e6) : 0, lastAdvert: advert.timestamp, lastMod: chat.rtcNow(),
  });
  if (!from) {
    if (!(app.shouldAutoAddContactType?.(parsed.type) ?? true)) {
      app.onDiscoveredContact?.(populate(), true, rx);
      return;
    }
    const maxHops = app.autoAddMaxHops?.() ?? 0;
    if (maxHops > 0 && rx.packet.path.length / rx.packet.pathHashSize >= maxHops) {
      app.onDiscoveredContact?.(populate(), true, rx);
      return;
    }
    if (chat.contacts.isFull()) {
      const gone = app.shouldOverwriteWhenFull?.() ? chat.contacts.evictOldest() : undefined;
      if (!gone) {
        app.onDiscoveredContact?.(populate(), true, rx);
        app.onContactsFull?.();
        return;
      }
      chat.advertBlobs.delete(toHex(gone.publicKey));
      app.onContactOverwrite?.(gone.publicKey);
    }
    from = populate();
    chat.contacts.push(from);
  }
  chat.advertBlobs.set(toHex(advert.publicKey), blob);
  from.name = parsed.name;
  from.type = parsed.type;
  if (parsed.lat !== undefined && parsed.lon !== undefined) {
    from.lat = Math.round(parsed.lat * 1e6);
    from.lon = Math.round(parsed.lon * 1e6);
  }
  from.lastAdvert = advert.timestamp;
  from.lastMod = chat.rtcNow();
  // v1.17.1 never sets is_new in this flow: added and known contacts both get PUSH_CODE_ADVERT.
  app.onDiscoveredContact?.(from, false, rx);
  app.onStateChanged?.();
}

/** addContact: a full record from the app (CMD_ADD_UPDATE_CONTACT); false when full (no overwrite here). */
export function addContact(chat: ChatMesh, c: ContactInfo): boolean {
  if (c.type === ADV_TYPE.NONE) {
    chat.contacts.putAnon(c);
    return true;
  }
  if (chat.contacts.isFull()) {
    if (!chat.app.shouldOverwriteWhenFull?.()) return false;
    const gone = chat.contacts.evictOldest();
    if (!gone) return false;
    chat.advertBlobs.delete(toHex(gone.publicKey));
    chat.app.onContactOverwrite?.(gone.publicKey);
  }
  chat.contacts.push(c);
  chat.app.onStateChanged?.();
  return true;
}

export function removeContact(chat: ChatMesh, publicKey: Uint8Array): boolean {
  const gone = chat.contacts.remove(publicKey);
  if (!gone) return false;
  chat.advertBlobs.delete(toHex(gone.publicKey));
  chat.app.onStateChanged?.();
  return true;
}
