/**
 * CommonCLI::handleGetCmd (src/helpers/CommonCLI.cpp) for a repeater built without bridge, GPS, LR2021 or NRF52
 * power management: the same prefix tests in the same order (so "get afx" answers as "get af"), the same texts.
 * `senderTimestamp` 0 = the serial console (the only place `get prv.key` answers).
 */
import { ftoa, ftoa3, toHex } from './c-text.js';
import type { CliHost } from './cli-host.js';
import { LOOP_DETECT } from './prefs.js';

const f32 = Math.fround;

function dutyCycle(af: number): string {
  const dc = f32(100 / f32(f32(af) + 1));
  const dcInt = Math.trunc(dc);
  const dcFrac = Math.trunc(f32(f32(f32(dc - dcInt) * 10) + 0.5));
  return `${dcInt}.${dcFrac}%`;
}

export { dutyCycle as formatDutyCycle };

export function handleGetCmd(host: CliHost, senderTimestamp: number, command: string): string {
  const config = command.slice(4);
  const p = host.prefs;
  const is = (s: string): boolean => config.startsWith(s);
  if (is('dutycycle')) return `> ${dutyCycle(p.airtimeFactor)}`;
  if (is('af')) return `> ${ftoa(p.airtimeFactor)}`;
  if (is('int.thresh')) return `> ${p.interferenceThreshold}`;
  if (is('cad')) return `> ${p.cadEnabled ? 'on' : 'off'}`;
  if (is('agc.reset.interval')) return `> ${p.agcResetInterval * 4}`;
  if (is('multi.acks')) return `> ${p.multiAcks}`;
  if (is('allow.read.only')) return `> ${p.allowReadOnly ? 'on' : 'off'}`;
  if (is('flood.advert.interval')) return `> ${p.floodAdvertInterval}`;
  if (is('advert.interval')) return `> ${p.advertInterval * 2}`;
  if (is('guest.password')) return `> ${p.guestPassword}`;
  if (senderTimestamp === 0 && is('prv.key')) return `> ${toHex(host.exportPrivateKey())}`;
  if (is('name')) return `> ${p.nodeName}`;
  if (is('repeat')) return `> ${p.disableFwd ? 'off' : 'on'}`;
  if (is('lat')) return `> ${ftoa(p.nodeLat)}`;
  if (is('lon')) return `> ${ftoa(p.nodeLon)}`;
  if (is('radio.rxgain')) return `> ${p.rxBoostedGain ? 'on' : 'off'}`;
  // no board here controls a LoRa FEM (MainBoard::canControlLoRaFemLna / PaGain default false)
  if (is('radio.fem.rxgain')) return 'Error: unsupported';
  if (is('radio.fem.txgain')) return 'Error: unsupported';
  if (is('radio')) return `> ${ftoa(p.freq)},${ftoa3(p.bw)},${p.sf},${p.cr}`;
  if (is('rxdelay')) return `> ${ftoa(p.rxDelayBase)}`;
  if (is('txdelay')) return `> ${ftoa(p.txDelayFactor)}`;
  if (is('flood.max.advert')) return `> ${p.floodMaxAdvert}`;
  if (is('flood.max.unscoped')) return `> ${p.floodMaxUnscoped}`;
  if (is('flood.max')) return `> ${p.floodMax}`;
  if (is('direct.txdelay')) return `> ${ftoa(p.directTxDelayFactor)}`;
  if (is('owner.info')) {
    // newlines back to '|', at most 159 bytes in all
    let out = '> ';
    for (const ch of p.ownerInfo) {
      if (new TextEncoder().encode(out).length >= 159) break;
      out += ch === '\n' ? '|' : ch;
    }
    return out;
  }
  if (is('path.hash.mode')) return `> ${p.pathHashMode}`;
  if (is('loop.detect')) {
    if (p.loopDetect === LOOP_DETECT.OFF) return '> off';
    if (p.loopDetect === LOOP_DETECT.MINIMAL) return '> minimal';
    if (p.loopDetect === LOOP_DETECT.MODERATE) return '> moderate';
    return '> strict';
  }
  if (is('tx') && (config.length === 2 || config[2] === ' ')) return `> ${p.txPowerDbm}`;
  if (is('freq')) return `> ${ftoa(p.freq)}`;
  if (is('public.key')) return `> ${toHex(host.selfPublicKey)}`;
  if (is('role')) return `> ${host.role}`;
  if (is('bridge.type')) return '> none';
  if (is('bootloader.ver')) return 'Error: unsupported';
  // MainBoard::getAdcMultiplier default 0 → unsupported
  if (is('adc.multiplier')) return 'Error: unsupported';
  if (is('pwrmgt.support')) return '> unsupported';
  if (is('pwrmgt.source')) return 'ERROR: Power management not supported';
  if (is('pwrmgt.bootreason')) return '> Reset: Not available; Shutdown: Not available';
  if (is('pwrmgt.bootmv')) return 'ERROR: Power management not supported';
  if (is('extra.sf')) return 'No extra SF configured';
  return `??: ${config}`;
}
