/**
 * CommonCLI::handleSetCmd (src/helpers/CommonCLI.cpp) for a repeater built without bridge, GPS or LR2021: the same
 * prefix tests in the same order, the same C conversions (atoi into uint8_t wraps: "flood.max 300" stores 44), the
 * same bounds and texts. Every accepted change is saved at once (CommonCLI::savePrefs, which also turns the default
 * 2-minute zero-hop advert off), except `set radio`, which saves without that rule, as the firmware does.
 */
import { atof, atoi, atoiDigits, cString, fromHex, i8, parseTextParts, toHex, u8 } from './c-text.js';
import { formatDutyCycle } from './cli-get.js';
import { cliSavePrefs, MIN_LOCAL_ADVERT_INTERVAL, type CliHost } from './cli-host.js';
import { LOOP_DETECT } from './prefs.js';

const f32 = Math.fround;

/** CommonCLI.cpp isValidName. */
export function isValidNodeName(n: string): boolean {
  return !/[[\]\\:,?*]/.test(n);
}

export function handleSetCmd(host: CliHost, senderTimestamp: number, command: string): string {
  const config = command.slice(4);
  const p = host.prefs;
  const is = (s: string): boolean => config.startsWith(s);
  const save = (): void => cliSavePrefs(host);
  const on = (from: number): boolean => config.startsWith('on', from);

  if (is('dutycycle ')) {
    const dc = f32(atof(config.slice(10)));
    if (dc < 1 || dc > 100) return 'ERROR: dutycycle must be 1-100';
    p.airtimeFactor = f32(f32(100 / dc) - 1);
    save();
    return `OK - ${formatDutyCycle(p.airtimeFactor)}`;
  }
  if (is('af ')) {
    p.airtimeFactor = f32(atof(config.slice(3)));
    save();
    return 'OK';
  }
  if (is('int.thresh ')) {
    p.interferenceThreshold = u8(atoi(config.slice(11)));
    save();
    return 'OK';
  }
  if (is('cad ')) {
    p.cadEnabled = on(4) ? 1 : 0;
    save();
    return 'OK';
  }
  if (is('agc.reset.interval ')) {
    p.agcResetInterval = u8(Math.trunc(atoi(config.slice(19)) / 4));
    save();
    return `OK - interval rounded to ${p.agcResetInterval * 4}`;
  }
  if (is('multi.acks ')) {
    p.multiAcks = u8(atoi(config.slice(11)));
    save();
    return 'OK';
  }
  if (is('allow.read.only ')) {
    p.allowReadOnly = on(16) ? 1 : 0;
    save();
    return 'OK';
  }
  if (is('flood.advert.interval ')) {
    const hours = atoiDigits(config.slice(22)) | 0;
    if ((hours > 0 && hours < 3) || hours > 168) return 'Error: interval range is 3-168 hours';
    p.floodAdvertInterval = u8(hours);
    host.updateFloodAdvertTimer();
    save();
    return 'OK';
  }
  if (is('advert.interval ')) {
    const mins = atoiDigits(config.slice(16)) | 0;
    if ((mins > 0 && mins < MIN_LOCAL_ADVERT_INTERVAL) || mins > 240) return `Error: interval range is ${MIN_LOCAL_ADVERT_INTERVAL}-240 minutes`;
    p.advertInterval = u8(Math.trunc(mins / 2));
    host.updateAdvertTimer();
    save();
    return 'OK';
  }
  if (is('guest.password ')) {
    p.guestPassword = cString(config.slice(15), 16);
    save();
    return 'OK';
  }
  if (is('prv.key ')) {
    const key = fromHex(config.slice(8), 64);
    const pub = key ? host.importPrivateKey(key) : undefined;
    if (!pub) return 'Error, bad key';
    return `OK, reboot to apply! New pubkey: ${toHex(pub)}`;
  }
  if (is('name ')) {
    if (!isValidNodeName(config.slice(5))) return 'Error, bad chars';
    p.nodeName = cString(config.slice(5), 32);
    save();
    return 'OK';
  }
  if (is('repeat ')) {
    p.disableFwd = config.startsWith('off', 7) ? 1 : 0;
    save();
    return p.disableFwd ? 'OK - repeat is now OFF' : 'OK - repeat is now ON';
  }
  if (is('radio.rxgain ')) {
    const enabled = on(13);
    p.rxBoostedGain = enabled ? 1 : 0;
    save();
    return host.setRxBoostedGain(enabled) ? 'OK' : 'Error: unsupported';
  }
  if (is('radio.fem.rxgain ') || is('radio.fem.txgain ')) return 'Error: unsupported';
  if (is('radio ')) {
    const parts = parseTextParts(config.slice(6), 4);
    const freq = parts.length > 0 ? f32(atof(parts[0])) : 0;
    const bw = parts.length > 1 ? f32(atof(parts[1])) : 0;
    const sf = parts.length > 2 ? u8(atoi(parts[2])) : 0;
    const cr = parts.length > 3 ? u8(atoi(parts[3])) : 0;
    if (freq >= 150 && freq <= 2500 && sf >= 5 && sf <= 12 && cr >= 5 && cr <= 8 && bw >= 7 && bw <= 500) {
      p.sf = sf;
      p.cr = cr;
      p.freq = freq;
      p.bw = bw;
      host.savePrefs();
      return 'OK - reboot to apply';
    }
    return 'Error, invalid radio params';
  }
  if (is('lat ')) {
    p.nodeLat = atof(config.slice(4));
    save();
    return 'OK';
  }
  if (is('lon ')) {
    p.nodeLon = atof(config.slice(4));
    save();
    return 'OK';
  }
  if (is('rxdelay ')) {
    const db = f32(atof(config.slice(8)));
    if (db >= 0 && db <= 20) {
      p.rxDelayBase = db;
      save();
      return 'OK';
    }
    return 'Error, must be 0-20';
  }
  if (is('txdelay ')) {
    const f = f32(atof(config.slice(8)));
    if (f >= 0 && f <= 2) {
      p.txDelayFactor = f;
      save();
      return 'OK';
    }
    return 'Error, must be 0-2';
  }
  const floodMax = (prefix: string, key: 'floodMaxUnscoped' | 'floodMaxAdvert' | 'floodMax'): string => {
    const m = u8(atoi(config.slice(prefix.length)));
    if (m > 64) return 'Error, max 64';
    p[key] = m;
    save();
    return 'OK';
  };
  if (is('flood.max.unscoped ')) return floodMax('flood.max.unscoped ', 'floodMaxUnscoped');
  if (is('flood.max.advert ')) return floodMax('flood.max.advert ', 'floodMaxAdvert');
  if (is('flood.max ')) return floodMax('flood.max ', 'floodMax');
  if (is('direct.txdelay ')) {
    const f = f32(atof(config.slice(15)));
    if (f >= 0 && f <= 2) {
      p.directTxDelayFactor = f;
      save();
      return 'OK';
    }
    return 'Error, must be 0-2';
  }
  if (is('owner.info ')) {
    p.ownerInfo = cString(config.slice(11).replaceAll('|', '\n'), 120);
    save();
    return 'OK';
  }
  if (is('path.hash.mode ')) {
    const mode = u8(atoi(config.slice(15)));
    if (mode >= 3) return 'Error, must be 0,1, or 2';
    p.pathHashMode = mode;
    save();
    return 'OK';
  }
  if (is('loop.detect ')) {
    const v = config.slice(12);
    const mode = v.startsWith('off')
      ? LOOP_DETECT.OFF
      : v.startsWith('minimal')
        ? LOOP_DETECT.MINIMAL
        : v.startsWith('moderate')
          ? LOOP_DETECT.MODERATE
          : v.startsWith('strict')
            ? LOOP_DETECT.STRICT
            : undefined;
    if (mode === undefined) return 'Error, must be: off, minimal, moderate, or strict';
    p.loopDetect = mode;
    save();
    return 'OK';
  }
  if (is('tx ')) {
    p.txPowerDbm = i8(atoi(config.slice(3)));
    save();
    host.setTxPower(p.txPowerDbm);
    return 'OK';
  }
  if (senderTimestamp === 0 && is('freq ')) {
    p.freq = f32(atof(config.slice(5)));
    save();
    return 'OK - reboot to apply';
  }
  // MainBoard::setAdcMultiplier default false: the value is not kept
  if (is('adc.multiplier ')) return 'Error: unsupported';
  return `unknown config: ${cString(config, 160 - 17)}`;
}
