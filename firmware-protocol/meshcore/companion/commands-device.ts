/**
 * The commands of MyMesh::handleCmdFrame (v1.17.1) that act on the device itself: identity and info, contacts,
 * channels, time, settings, statistics, signing, reset. Each case keeps the firmware's guard (code and minimum
 * length): a frame that fails it falls through to the final `else`, ERR_CODE_UNSUPPORTED_CMD, as on the radio. The
 * firmware reads its fixed-size command buffer past `len` in a few places (stale bytes); we read zeros there.
 * Returns false when the frame is not one of these commands.
 */
import { FrameReader, FrameWriter, decodeUtf8 } from '../bytes.js';
import { CMD, ERR_CODE, OUT_PATH_UNKNOWN, PUB_KEY_SIZE, RESP, STATS_TYPE } from '../codes.js';
import { readContactRecord, writeContactRecord } from '../contact-record.js';
import { encodeBattAndStorage, encodeChannelInfo, encodeDeviceInfo, encodeSelfInfo } from '../device-frames.js';
import type { CompanionRadio } from './companion-radio.js';
import type { Session } from './companion-session.js';
import { newContactInfo } from './contacts-table.js';

/** MyMesh.cpp MAX_SIGN_DATA_LEN. */
export const MAX_SIGN_DATA_LEN = 8 * 1024;

export function pad(f: Uint8Array, n: number): Uint8Array {
  if (f.length >= n) return f;
  const out = new Uint8Array(n);
  out.set(f);
  return out;
}

function cstr(b: Uint8Array): string {
  const z = b.indexOf(0);
  return decodeUtf8(z < 0 ? b : b.subarray(0, z));
}

function u32(f: Uint8Array, at: number): number {
  return new DataView(f.buffer, f.byteOffset, f.byteLength).getUint32(at, true);
}

function i32(f: Uint8Array, at: number): number {
  return new DataView(f.buffer, f.byteOffset, f.byteLength).getInt32(at, true);
}

export function handleDeviceCommand(dev: CompanionRadio, s: Session, frame: Uint8Array): boolean {
  const len = frame.length;
  const f = pad(frame, 256);
  const code = f[0];
  const p = dev.prefs;
  const chat = dev.chat;
  switch (code) {
    case CMD.DEVICE_QUERY:
      if (len < 2) return false;
      s.appTargetVer = f[1];
      dev.reply(encodeDeviceInfo({
        firmwareVerCode: dev.build.firmwareVerCode, maxContacts: dev.build.maxContacts, maxChannels: dev.build.maxChannels,
        blePin: p.blePin, buildDate: dev.build.buildDate, manufacturer: dev.build.manufacturer,
        firmwareVersion: dev.build.firmwareVersion, repeat: p.repeat, pathHashMode: p.pathHashMode,
      }));
      return true;
    case CMD.APP_START:
      if (len < 8) return false;
      dev.reply(encodeSelfInfo({
        advType: dev.advType, txPower: p.txPowerDbm, maxTxPower: dev.build.maxTxPower, publicKey: chat.selfKey,
        lat: p.lat, lon: p.lon, multiAcks: p.multiAcks, advertLocPolicy: p.advertLocPolicy, telemetryModes: p.telemetryModes,
        manualAddContacts: p.manualAddContacts, radio: { freqKhz: p.freqKhz, bwHz: p.bwHz, sf: p.sf, cr: p.cr }, name: p.nodeName,
      }));
      return true;
    case CMD.GET_CONTACTS: {
      // The firmware paces the iterator over loop() turns; here the whole list goes at once, in the same order and
      // with the same 'since' filter, so no command can find the iterator busy (ERR_CODE_BAD_STATE never occurs).
      const since = len >= 5 ? u32(f, 1) : 0;
      const all = chat.contacts.all();
      dev.reply(new FrameWriter().u8(RESP.CONTACTS_START).u32(all.length).done());
      let mostRecent = 0;
      for (const c of all) {
        if (c.lastMod > since) {
          dev.reply(writeContactRecord(new FrameWriter().u8(RESP.CONTACT), c).done());
          mostRecent = Math.max(mostRecent, c.lastMod);
        }
      }
      dev.reply(new FrameWriter().u8(RESP.END_OF_CONTACTS).u32(mostRecent).done());
      return true;
    }
    case CMD.SET_ADVERT_NAME:
      if (len < 2) return false;
      p.nodeName = cstr(f.subarray(1, Math.min(len, 32)));
      dev.markDirty();
      dev.ok();
      return true;
    case CMD.SET_ADVERT_LATLON: {
      if (len < 9) return false;
      const lat = i32(f, 1), lon = i32(f, 5);
      if (lat <= 90e6 && lat >= -90e6 && lon <= 180e6 && lon >= -180e6) {
        p.lat = lat;
        p.lon = lon;
        dev.markDirty();
        dev.ok();
      } else dev.err(ERR_CODE.ILLEGAL_ARG);
      return true;
    }
    case CMD.GET_DEVICE_TIME:
      dev.reply(new FrameWriter().u8(RESP.CURR_TIME).u32(dev.rtcNow()).done());
      return true;
    case CMD.SET_DEVICE_TIME:
      // Only forwards (secs >= now), as the firmware. The native node's clock is the host's (NTP): without a
      // setRtc option the time is accepted and not applied.
      if (len < 5) return false;
      if (u32(f, 1) >= dev.rtcNow()) {
        dev.options.setRtc?.(u32(f, 1));
        dev.ok();
      } else dev.err(ERR_CODE.ILLEGAL_ARG);
      return true;
    case CMD.RESET_PATH: {
      if (len < 1 + PUB_KEY_SIZE) return false;
      const c = chat.contacts.lookup(f.subarray(1, 33));
      if (!c) return dev.err(ERR_CODE.NOT_FOUND), true;
      c.outPathLen = OUT_PATH_UNKNOWN;
      dev.markDirty();
      dev.ok();
      return true;
    }
    case CMD.ADD_UPDATE_CONTACT: {
      if (len < 1 + 32 + 2 + 1) return false;
      const r = new FrameReader(f.subarray(0, 1 + 32 + 3 + 64 + 32 + 4 + 12), code);
      r.u8();
      const rec = readContactRecord(r);
      const hasLatLon = len >= 1 + 32 + 3 + 64 + 32 + 4 + 8;
      const lastMod = len >= 1 + 32 + 3 + 64 + 32 + 4 + 12 ? rec.lastMod : dev.rtcNow();
      const existing = chat.contacts.lookup(f.subarray(1, 33));
      const fields = { ...rec, lastMod, ...(hasLatLon ? {} : existing ? { lat: existing.lat, lon: existing.lon } : { lat: 0, lon: 0 }) };
      if (existing) {
        Object.assign(existing, fields);
        dev.markDirty();
        dev.ok();
      } else if (chat.addContact(newContactInfo(rec.publicKey, { ...fields, syncSince: 0 }))) {
        dev.markDirty();
        dev.ok();
      } else dev.err(ERR_CODE.TABLE_FULL);
      return true;
    }
    case CMD.REMOVE_CONTACT:
      if (chat.removeContact(f.subarray(1, 33))) {
        dev.markDirty();
        dev.ok();
      } else dev.err(ERR_CODE.NOT_FOUND);
      return true;
    case CMD.GET_CONTACT_BY_KEY: {
      const c = chat.contacts.lookup(f.subarray(1, 33));
      if (c) dev.reply(writeContactRecord(new FrameWriter().u8(RESP.CONTACT), c).done());
      else dev.err(ERR_CODE.NOT_FOUND);
      return true;
    }
    case CMD.SYNC_NEXT_MESSAGE:
      dev.reply(s.queue.shift() ?? Uint8Array.of(RESP.NO_MORE_MESSAGES));
      return true;
    case CMD.SET_RADIO_PARAMS: {
      const freq = u32(f, 1), bw = u32(f, 5), sf = f[9], cr = f[10];
      const repeat = len > 11 ? f[11] : 0;
      const repeatOk = dev.build.repeatFreqRanges.some(([lo, hi]) => freq >= lo && freq <= hi);
      if (repeat && !repeatOk) dev.err(ERR_CODE.ILLEGAL_ARG);
      else if (freq >= 150000 && freq <= 2500000 && sf >= 5 && sf <= 12 && cr >= 5 && cr <= 8 && bw >= 7000 && bw <= 500000) {
        Object.assign(p, { freqKhz: freq, bwHz: bw, sf, cr, repeat: repeat !== 0 });
        dev.markDirty();
        dev.options.onRadioChanged?.(p);
        dev.ok();
      } else dev.err(ERR_CODE.ILLEGAL_ARG);
      return true;
    }
    case CMD.SET_RADIO_TX_POWER: {
      const power = (f[1] << 24) >> 24;
      if (power < -9 || power > dev.build.maxTxPower) dev.err(ERR_CODE.ILLEGAL_ARG);
      else {
        p.txPowerDbm = power;
        dev.markDirty();
        dev.options.onRadioChanged?.(p);
        dev.ok();
      }
      return true;
    }
    case CMD.SET_TUNING_PARAMS:
      p.rxDelayBaseMilli = u32(f, 1);
      p.airtimeFactorMilli = u32(f, 5);
      dev.markDirty();
      dev.ok();
      return true;
    case CMD.GET_TUNING_PARAMS:
      dev.reply(new FrameWriter().u8(RESP.TUNING_PARAMS).u32(p.rxDelayBaseMilli).u32(p.airtimeFactorMilli).done());
      return true;
    case CMD.SET_OTHER_PARAMS:
      p.manualAddContacts = f[1];
      if (len >= 3) {
        p.telemetryModes = f[2] & 0x3f;
        if (len >= 4) {
          p.advertLocPolicy = f[3];
          if (len >= 5) p.multiAcks = f[4];
        }
      }
      dev.markDirty();
      dev.ok();
      return true;
    case CMD.SET_PATH_HASH_MODE:
      if (f[1] !== 0 || len < 3) return false;
      if (f[2] >= 3) dev.err(ERR_CODE.ILLEGAL_ARG);
      else {
        p.pathHashMode = f[2];
        dev.markDirty();
        dev.ok();
      }
      return true;
    case CMD.REBOOT:
      if (decodeUtf8(f.subarray(1, 7)) !== 'reboot') return false;
      dev.reboot();
      return true;
    case CMD.GET_BATT_AND_STORAGE:
      dev.reply(encodeBattAndStorage({ batteryMilliVolts: dev.battery(), storageUsedKb: dev.store.usedKb(), storageTotalKb: dev.store.totalKb() }));
      return true;
    case CMD.EXPORT_PRIVATE_KEY:
      if (dev.build.privateKeyExport) dev.reply(new FrameWriter().u8(RESP.PRIVATE_KEY).bytes(chat.mesh.self.privateKey()).done());
      else dev.reply(Uint8Array.of(RESP.DISABLED));
      return true;
    case CMD.IMPORT_PRIVATE_KEY:
      // The node's identity is the relay's (its repeater signs with it): built without ENABLE_PRIVATE_KEY_IMPORT.
      if (len < 65) return false;
      dev.reply(Uint8Array.of(RESP.DISABLED));
      return true;
    case CMD.GET_CHANNEL: {
      if (len < 2) return false;
      const ch = chat.channels.get(f[1]);
      if (ch) dev.reply(encodeChannelInfo({ index: ch.index, name: ch.name, secret: ch.secret.subarray(0, 16) }));
      else dev.err(ERR_CODE.NOT_FOUND);
      return true;
    }
    case CMD.SET_CHANNEL:
      if (len >= 2 + 32 + 32) return dev.err(ERR_CODE.UNSUPPORTED_CMD), true; // 256-bit keys: "not supported (yet)"
      if (len < 2 + 32 + 16) return false;
      if (chat.channels.set(f[1], cstr(f.subarray(2, 2 + 31)), f.slice(34, 50))) {
        dev.markDirty();
        dev.ok();
      } else dev.err(ERR_CODE.NOT_FOUND);
      return true;
    case CMD.SIGN_START:
      dev.reply(new FrameWriter().u8(RESP.SIGN_START).u8(0).u32(MAX_SIGN_DATA_LEN).done());
      s.signData = new Uint8Array(MAX_SIGN_DATA_LEN);
      s.signLen = 0;
      return true;
    case CMD.SIGN_DATA:
      if (len <= 1) return false;
      if (!s.signData || s.signLen + (len - 1) > MAX_SIGN_DATA_LEN) dev.err(s.signData ? ERR_CODE.TABLE_FULL : ERR_CODE.BAD_STATE);
      else {
        s.signData.set(frame.subarray(1), s.signLen);
        s.signLen += len - 1;
        dev.ok();
      }
      return true;
    case CMD.SIGN_FINISH:
      if (!s.signData) return dev.err(ERR_CODE.BAD_STATE), true;
      dev.reply(new FrameWriter().u8(RESP.SIGNATURE).bytes(chat.mesh.self.sign(s.signData.subarray(0, s.signLen))).done());
      s.signData = undefined;
      return true;
    case CMD.SET_DEVICE_PIN: {
      if (len < 5) return false;
      const pin = u32(f, 1);
      if (pin === 0 || (pin >= 100000 && pin <= 999999)) {
        p.blePin = pin;
        dev.markDirty();
        dev.ok();
      } else dev.err(ERR_CODE.ILLEGAL_ARG);
      return true;
    }
    case CMD.GET_CUSTOM_VARS:
      // SensorManager of a board without settings (getNumSettings() = 0): an empty list.
      dev.reply(Uint8Array.of(RESP.CUSTOM_VARS));
      return true;
    case CMD.SET_CUSTOM_VAR:
      if (len < 4) return false;
      dev.err(ERR_CODE.ILLEGAL_ARG); // no setting of that name (setSettingValue false), or no ':' at all
      return true;
    case CMD.GET_ADVERT_PATH: {
      if (len < PUB_KEY_SIZE + 2) return false;
      const key = f.subarray(2, 9);
      const a = dev.advertPaths.find((x) => x.prefix.every((b, i) => b === key[i]));
      if (a) dev.reply(new FrameWriter().u8(RESP.ADVERT_PATH).u32(a.recvTimestamp).u8(a.pathLen).bytes(a.path).done());
      else dev.err(ERR_CODE.NOT_FOUND);
      return true;
    }
    case CMD.GET_STATS:
      if (len < 2) return false;
      stats(dev, f[1]);
      return true;
    case CMD.FACTORY_RESET:
      if (decodeUtf8(f.subarray(1, 6)) !== 'reset') return false;
      void dev.factoryReset().then((ok) => {
        dev.current = s;
        if (ok) dev.ok();
        else dev.err(ERR_CODE.FILE_IO_ERROR);
        dev.current = undefined;
        if (ok) dev.reboot();
      });
      return true;
    case CMD.SET_FLOOD_SCOPE_KEY:
      if (len < 2 || (f[1] !== 0 && f[1] !== 1)) return false;
      if (f[1] === 0) {
        s.sendScope = len >= 2 + 16 ? f.slice(2, 18) : new Uint8Array(16);
        s.sendUnscoped = false;
      } else s.sendUnscoped = true;
      dev.ok();
      return true;
    case CMD.SET_DEFAULT_FLOOD_SCOPE:
      if (len >= 1 + 31 + 16) {
        const z = f.indexOf(0, 1);
        const n = (z < 0 ? len : z) - 1;
        if (n > 0 && n < 31) {
          p.defaultScopeName = decodeUtf8(f.subarray(1, 1 + n));
          p.defaultScopeKey = f.slice(32, 48);
          dev.markDirty();
          dev.ok();
        } else dev.err(ERR_CODE.ILLEGAL_ARG);
      } else {
        p.defaultScopeName = '';
        p.defaultScopeKey = new Uint8Array(16);
        dev.markDirty();
        dev.ok();
      }
      return true;
    case CMD.GET_DEFAULT_FLOOD_SCOPE:
      dev.reply(p.defaultScopeName
        ? new FrameWriter().u8(RESP.DEFAULT_FLOOD_SCOPE).cstring(p.defaultScopeName, 31).fixed(p.defaultScopeKey, 16).done()
        : Uint8Array.of(RESP.DEFAULT_FLOOD_SCOPE));
      return true;
    case CMD.SET_AUTOADD_CONFIG:
      p.autoaddConfig = f[1];
      if (len >= 3) p.autoaddMaxHops = Math.min(f[2], 64);
      dev.markDirty();
      dev.ok();
      return true;
    case CMD.GET_AUTOADD_CONFIG:
      dev.reply(Uint8Array.of(RESP.AUTOADD_CONFIG, p.autoaddConfig, p.autoaddMaxHops));
      return true;
    case CMD.GET_ALLOWED_REPEAT_FREQ: {
      const w = new FrameWriter().u8(RESP.ALLOWED_REPEAT_FREQ);
      for (const [lo, hi] of dev.build.repeatFreqRanges) w.u32(lo).u32(hi);
      dev.reply(w.done());
      return true;
    }
    case CMD.HAS_CONNECTION:
      if (len < 1 + PUB_KEY_SIZE) return false;
      if (chat.hasConnectionTo(f.subarray(1, 33))) dev.ok();
      else dev.err(ERR_CODE.NOT_FOUND);
      return true;
    case CMD.LOGOUT:
      if (len < 1 + PUB_KEY_SIZE) return false;
      chat.stopConnection(f.subarray(1, 33));
      dev.ok();
      return true;
    default:
      return false;
  }
}

function stats(dev: CompanionRadio, type: number): void {
  const m = dev.chat.mesh;
  const c = m.counters;
  const sig = m.lastSignal() ?? { snrDb: 0, rssiDbm: 0 };
  if (type === STATS_TYPE.CORE) {
    dev.reply(new FrameWriter().u8(RESP.STATS).u8(type).u16(dev.battery()).u32(Math.floor(dev.millis() / 1000)).u16(0)
      .u8(Math.min(255, m.queueLength())).done());
  } else if (type === STATS_TYPE.RADIO) {
    const nf = Math.round(dev.options.noiseFloorDbm?.() ?? 0);
    dev.reply(new FrameWriter().u8(RESP.STATS).u8(type).u16(nf & 0xffff).u8(Math.trunc(sig.rssiDbm) & 0xff)
      .u8(Math.trunc(sig.snrDb * 4) & 0xff).u32(Math.floor(c.txAirMs / 1000)).u32(Math.floor(c.rxAirMs / 1000)).done());
  } else if (type === STATS_TYPE.PACKETS) {
    const recv = c.recvFlood + c.recvDirect + c.floodDups + c.directDups;
    dev.reply(new FrameWriter().u8(RESP.STATS).u8(type).u32(recv).u32(c.sentFlood + c.sentDirect).u32(c.sentFlood)
      .u32(c.sentDirect).u32(c.recvFlood).u32(c.recvDirect).u32(c.recvErrors).done());
  } else dev.err(ERR_CODE.ILLEGAL_ARG);
}

/** For the tests: every code this file answers. */
export const DEVICE_COMMANDS = [
  CMD.DEVICE_QUERY, CMD.APP_START, CMD.GET_CONTACTS, CMD.SET_ADVERT_NAME, CMD.SET_ADVERT_LATLON, CMD.GET_DEVICE_TIME,
  CMD.SET_DEVICE_TIME, CMD.RESET_PATH, CMD.ADD_UPDATE_CONTACT, CMD.REMOVE_CONTACT, CMD.GET_CONTACT_BY_KEY,
  CMD.SYNC_NEXT_MESSAGE, CMD.SET_RADIO_PARAMS, CMD.SET_RADIO_TX_POWER, CMD.SET_TUNING_PARAMS, CMD.GET_TUNING_PARAMS,
  CMD.SET_OTHER_PARAMS, CMD.SET_PATH_HASH_MODE, CMD.REBOOT, CMD.GET_BATT_AND_STORAGE, CMD.EXPORT_PRIVATE_KEY,
  CMD.IMPORT_PRIVATE_KEY, CMD.GET_CHANNEL, CMD.SET_CHANNEL, CMD.SIGN_START, CMD.SIGN_DATA, CMD.SIGN_FINISH,
  CMD.SET_DEVICE_PIN, CMD.GET_CUSTOM_VARS, CMD.SET_CUSTOM_VAR, CMD.GET_ADVERT_PATH, CMD.GET_STATS, CMD.FACTORY_RESET,
  CMD.SET_FLOOD_SCOPE_KEY, CMD.SET_DEFAULT_FLOOD_SCOPE, CMD.GET_DEFAULT_FLOOD_SCOPE, CMD.SET_AUTOADD_CONFIG,
  CMD.GET_AUTOADD_CONFIG, CMD.GET_ALLOWED_REPEAT_FREQ, CMD.HAS_CONNECTION, CMD.LOGOUT,
] as const;
