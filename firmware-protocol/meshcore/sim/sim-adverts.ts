/**
 * An advert heard by the simulated radio: BaseChatMesh::onAdvertRecv + allocateContactSlot and
 * MyMesh::onDiscoveredContact / onContactsFull / onContactOverwrite (v1.17.1).
 */
import { OUT_PATH_UNKNOWN, PUSH } from '../codes.js';
import { FrameWriter, toHex } from '../bytes.js';
import { writeContactRecord, type Contact } from '../contact-record.js';
import type { HeardAdvert, SimDevice } from './sim-device.js';

/** autoadd_config bit 0: overwrite the oldest non-favourite contact when full (AUTO_ADD_OVERWRITE_OLDEST). */
const AUTO_ADD_OVERWRITE_OLDEST = 0x01;

export function onAdvertRecv(dev: SimDevice, a: HeardAdvert, raw?: Uint8Array): void {
  if (!a.name) return; // adverts without a name are dropped
  const key = toHex(a.publicKey);
  const contacts = dev.persistent.contacts;
  let c = contacts.find((x) => toHex(x.publicKey) === key);
  if (c && a.timestamp <= c.lastAdvert) return; // replay check
  const p = dev.persistent.prefs;
  const fresh = (): Contact => ({
    publicKey: a.publicKey.slice(), type: a.type, flags: 0, outPathLen: OUT_PATH_UNKNOWN, outPath: new Uint8Array(64),
    name: a.name, lastAdvert: a.timestamp, lat: a.lat ?? 0, lon: a.lon ?? 0, lastMod: dev.rtcNow(),
  });
  const discovered = () => {
    if (dev.isConnected()) dev.writeFrame(writeContactRecord(new FrameWriter().u8(PUSH.NEW_ADVERT), fresh()).done());
  };
  if (!c) {
    // shouldAutoAddContactType: all types unless manual mode (bit 0), then the per-type bits (1 << type).
    const autoAdd = (p.manualAddContacts & 1) === 0 || (p.autoaddConfig & (1 << a.type)) !== 0;
    if (!autoAdd) return discovered();
    if (p.autoaddMaxHops > 0 && a.hops >= p.autoaddMaxHops) return discovered();
    if (contacts.length >= dev.config.maxContacts) {
      let oldest = -1;
      if (p.autoaddConfig & AUTO_ADD_OVERWRITE_OLDEST) {
        for (let i = 0; i < contacts.length; i++) {
          if ((contacts[i].flags & 0x01) === 0 && (oldest < 0 || contacts[i].lastMod < contacts[oldest].lastMod)) oldest = i;
        }
      }
      if (oldest < 0) {
        discovered();
        if (dev.isConnected()) dev.writeFrame(Uint8Array.of(PUSH.CONTACTS_FULL));
        return;
      }
      const [gone] = contacts.splice(oldest, 1);
      dev.persistent.advertBlobs.delete(toHex(gone.publicKey));
      if (dev.isConnected()) dev.writeFrame(new FrameWriter().u8(PUSH.CONTACT_DELETED).bytes(gone.publicKey).done());
    }
    c = fresh();
    contacts.push(c);
  }
  c.name = a.name;
  c.type = a.type;
  if (a.lat !== undefined) c.lat = a.lat;
  if (a.lon !== undefined) c.lon = a.lon;
  c.lastAdvert = a.timestamp;
  c.lastMod = dev.rtcNow();
  if (raw) dev.persistent.advertBlobs.set(key, raw.slice()); // putBlobByKey, for EXPORT/SHARE_CONTACT
  // is_new is never set in the add flow, so added and known contacts both get PUSH_CODE_ADVERT.
  if (dev.isConnected()) dev.writeFrame(new FrameWriter().u8(PUSH.ADVERT).bytes(c.publicKey).done());
}
