/**
 * The simulator's settings, statistics and contact export/import commands, as MyMesh.cpp handleCmdFrame answers
 * them (v1.17.1). Returns false for codes it does not handle so the device falls through to
 * ERR_CODE_UNSUPPORTED_CMD like the firmware's final else.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { createHash } from 'node:crypto';
import { ADV_TYPE, CMD, ERR_CODE, PUB_KEY_SIZE, RESP, STATS_TYPE } from '../codes.js';
import { FrameReader, FrameWriter, decodeUtf8, toHex } from '../bytes.js';
import type { SimDevice } from './sim-device.js';
import { advertPacket } from './sim-air-packets.js';

/** MyMesh.cpp repeat_freq_ranges default (kHz). */
const REPEAT_FREQ_RANGES = [[433000, 433000], [869495, 869495], [918000, 918000]];

export function handleSettingsCommand(dev: SimDevice, f: Uint8Array): boolean {
  const len = f.length;
  const code = f[0];
  const p = dev.persistent.prefs;
  const r = new FrameReader(f);
  r.u8();
  switch (code) {
    case CMD.SET_ADVERT_LATLON: {
      if (len < 9) return false;
      const lat = r.i32(), lon = r.i32();
      if (lat <= 90e6 && lat >= -90e6 && lon <= 180e6 && lon >= -180e6) {
        p.lat = lat;
        p.lon = lon;
        dev.ok();
      } else dev.err(ERR_CODE.ILLEGAL_ARG);
      return true;
    }
    case CMD.SET_TUNING_PARAMS: {
      const padded = new FrameReader(pad(f, 9));
      padded.u8();
      p.rxDelayBaseMilli = padded.u32();
      p.airtimeFactorMilli = padded.u32();
      dev.ok();
      return true;
    }
    case CMD.GET_TUNING_PARAMS:
      dev.writeFrame(new FrameWriter().u8(RESP.TUNING_PARAMS).u32(p.rxDelayBaseMilli).u32(p.airtimeFactorMilli).done());
      return true;
    case CMD.SET_OTHER_PARAMS:
      p.manualAddContacts = f[1] ?? 0;
      if (len >= 3) p.telemetryModes = f[2] & 0x3f;
      if (len >= 4) p.advertLocPolicy = f[3];
      if (len >= 5) p.multiAcks = f[4];
      dev.ok();
      return true;
    case CMD.SET_PATH_HASH_MODE:
      if (f[1] !== 0 || len < 3) return false;
      if (f[2] >= 3) dev.err(ERR_CODE.ILLEGAL_ARG);
      else {
        p.pathHashMode = f[2];
        dev.ok();
      }
      return true;
    case CMD.SET_DEVICE_PIN: {
      if (len < 5) return false;
      const pin = r.u32();
      if (pin === 0 || (pin >= 100000 && pin <= 999999)) {
        p.blePin = pin;
        dev.ok();
      } else dev.err(ERR_CODE.ILLEGAL_ARG);
      return true;
    }
    case CMD.SET_AUTOADD_CONFIG:
      p.autoaddConfig = f[1] ?? 0;
      if (len >= 3) p.autoaddMaxHops = Math.min(f[2], 64);
      dev.ok();
      return true;
    case CMD.GET_AUTOADD_CONFIG:
      dev.writeFrame(Uint8Array.of(RESP.AUTOADD_CONFIG, p.autoaddConfig, p.autoaddMaxHops));
      return true;
    case CMD.GET_ALLOWED_REPEAT_FREQ: {
      const w = new FrameWriter().u8(RESP.ALLOWED_REPEAT_FREQ);
      for (const [lo, hi] of REPEAT_FREQ_RANGES) w.u32(lo).u32(hi);
      dev.writeFrame(w.done());
      return true;
    }
    case CMD.SET_FLOOD_SCOPE_KEY:
      if (len < 2) return false;
      if (f[1] === 0) {
        dev.ram.sendScope = len >= 18 ? f.slice(2, 18) : new Uint8Array(16);
        dev.ram.sendUnscoped = false;
      } else if (f[1] === 1) dev.ram.sendUnscoped = true;
      else return false;
      dev.ok();
      return true;
    case CMD.SET_DEFAULT_FLOOD_SCOPE:
      if (len >= 1 + 31 + 16) {
        const raw = f.subarray(1, 32);
        const z = raw.indexOf(0);
        const n = z < 0 ? 31 : z;
        if (n > 0 && n < 31) {
          p.defaultScopeName = decodeUtf8(raw.subarray(0, n));
          p.defaultScopeKey = f.slice(32, 48);
          dev.ok();
        } else dev.err(ERR_CODE.ILLEGAL_ARG);
      } else {
        p.defaultScopeName = '';
        p.defaultScopeKey = new Uint8Array(16);
        dev.ok();
      }
      return true;
    case CMD.GET_DEFAULT_FLOOD_SCOPE:
      dev.writeFrame(p.defaultScopeName
        ? new FrameWriter().u8(RESP.DEFAULT_FLOOD_SCOPE).cstring(p.defaultScopeName, 31).fixed(p.defaultScopeKey, 16).done()
        : Uint8Array.of(RESP.DEFAULT_FLOOD_SCOPE));
      return true;
    case CMD.GET_STATS:
      if (len < 2) return false;
      return stats(dev, f[1]), true;
    case CMD.HAS_CONNECTION:
      if (len < 1 + PUB_KEY_SIZE) return false;
      dev.err(ERR_CODE.NOT_FOUND); // the simulator has no room-server/repeater logins
      return true;
    case CMD.LOGOUT:
      if (len < 1 + PUB_KEY_SIZE) return false;
      dev.ok();
      return true;
    case CMD.EXPORT_PRIVATE_KEY: {
      // platformio.ini builds set ENABLE_PRIVATE_KEY_EXPORT=1: the 64-byte orlp key (clamped scalar · prefix).
      const h = createHash('sha512').update(dev.persistent.seed).digest();
      h[0] &= 248;
      h[31] &= 63;
      h[31] |= 64;
      dev.writeFrame(new FrameWriter().u8(RESP.PRIVATE_KEY).bytes(h).done());
      return true;
    }
    case CMD.EXPORT_CONTACT:
      exportContact(dev, f);
      return true;
    case CMD.IMPORT_CONTACT:
      if (len <= 2 + 32 + 64) return false;
      if (importContact(dev, f.subarray(1))) dev.ok();
      else dev.err(ERR_CODE.ILLEGAL_ARG);
      return true;
    case CMD.SHARE_CONTACT: {
      const c = dev.findContact(f.subarray(1, 33));
      if (!c) dev.err(ERR_CODE.NOT_FOUND);
      else if (!dev.persistent.advertBlobs.has(toHex(c.publicKey))) dev.err(ERR_CODE.TABLE_FULL);
      else dev.ok();
      return true;
    }
    default:
      return false;
  }
}

function pad(f: Uint8Array, n: number): Uint8Array {
  if (f.length >= n) return f;
  const out = new Uint8Array(n);
  out.set(f);
  return out;
}

function stats(dev: SimDevice, type: number): void {
  const c = dev.ram.counters;
  if (type === STATS_TYPE.CORE) {
    // battery mV u16 · uptime s u32 · err_flags u16 · queue_len u8 (meshcore.js omits err_flags: a known bug)
    dev.writeFrame(new FrameWriter().u8(RESP.STATS).u8(type).u16(dev.config.batteryMilliVolts)
      .u32(Math.floor(dev.millis() / 1000)).u16(0).u8(0).done());
  } else if (type === STATS_TYPE.RADIO) {
    dev.writeFrame(new FrameWriter().u8(RESP.STATS).u8(type).u16(-120 & 0xffff).u8(-60 & 0xff).u8(8 * 4).u32(0).u32(0).done());
  } else if (type === STATS_TYPE.PACKETS) {
    dev.writeFrame(new FrameWriter().u8(RESP.STATS).u8(type).u32(c.recv).u32(c.sent).u32(c.sentFlood).u32(c.sentDirect)
      .u32(c.recvFlood).u32(c.recvDirect).u32(c.recvErrors).done());
  } else dev.err(ERR_CODE.ILLEGAL_ARG);
}

function exportContact(dev: SimDevice, f: Uint8Array): void {
  if (f.length < 1 + PUB_KEY_SIZE) {
    // Self: a fresh advert with the route forced to flood ("would normally be sent in this mode").
    const raw = advertPacket({ seed: dev.persistent.seed, publicKey: dev.publicKey }, dev.rtcNow(), ADV_TYPE.CHAT, dev.name, 0);
    dev.writeFrame(new FrameWriter().u8(RESP.EXPORT_CONTACT).bytes(raw).done());
    return;
  }
  const c = dev.findContact(f.subarray(1, 33));
  const blob = c && dev.persistent.advertBlobs.get(toHex(c.publicKey));
  if (!blob) return dev.err(ERR_CODE.NOT_FOUND);
  dev.writeFrame(new FrameWriter().u8(RESP.EXPORT_CONTACT).bytes(blob).done());
}

/** BaseChatMesh::importContact: OK for any parseable ADVERT packet, which is then looped back as if received by
 * flood; Mesh drops it silently there if the signature does not verify. */
function importContact(dev: SimDevice, raw: Uint8Array): boolean {
  const header = raw[0];
  if ((header >> 2 & 0x0f) !== 0x04) return false;
  const route = header & 3;
  let i = 1 + (route === 0 || route === 3 ? 4 : 0);
  const pathLen = raw[i++];
  i += (pathLen & 0x3f) * ((pathLen >> 6) + 1);
  const payload = raw.subarray(i);
  if (payload.length < 32 + 4 + 64) return false;
  if (payload.length === 100) return true; // no appdata: onAdvertRecv drops adverts without a name
  const pk = payload.subarray(0, 32);
  const ts = new DataView(payload.buffer, payload.byteOffset + 32, 4).getUint32(0, true);
  const sig = payload.subarray(36, 100);
  const appdata = payload.subarray(100, 132);
  const signed = new Uint8Array(36 + appdata.length);
  signed.set(payload.subarray(0, 36));
  signed.set(appdata, 36);
  let ok = false;
  try {
    ok = ed25519.verify(sig, signed, pk);
  } catch {
    ok = false;
  }
  if (!ok) return true;
  const flags = appdata[0];
  let j = 1;
  let lat: number | undefined, lon: number | undefined;
  if (flags & 0x10) {
    const dv = new DataView(appdata.buffer, appdata.byteOffset + 1, 8);
    lat = dv.getInt32(0, true);
    lon = dv.getInt32(4, true);
    j += 8;
  }
  if (flags & 0x20) j += 2;
  if (flags & 0x40) j += 2;
  const name = flags & 0x80 ? decodeUtf8(appdata.subarray(j)) : '';
  dev.receiveAdvert({ publicKey: pk.slice(), name, type: flags & 0x0f, timestamp: ts, hops: pathLen & 0x3f, lat, lon }, raw.slice(), { logRx: false });
  return true;
}
