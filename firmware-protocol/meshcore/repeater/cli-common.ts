/**
 * CommonCLI::handleCommand (src/helpers/CommonCLI.cpp) for a repeater without GPS: prefix tests in the firmware's
 * order, the same reply texts, "Unknown command" for the rest. `senderTimestamp` is the sender's clock for a
 * command that came over the air and 0 for the serial console; the console-only commands (erase, log, stats-*)
 * answer "Unknown command" over the air, as on the device. An empty reply means the firmware sends none.
 */
import { atof, atoi, atoiDigits, cString, formatClock, fromHex, parseTextParts, u8 } from './c-text.js';
import { handleGetCmd } from './cli-get.js';
import { cliSavePrefs, type CliHost } from './cli-host.js';
import { handleRegionCmd } from './cli-region.js';
import { handleSetCmd } from './cli-set.js';

/** The time `clkreboot` resets the RTC to (15 May 2024). */
const CLKREBOOT_TIME = 1715770351;

export function handleCommonCommand(host: CliHost, senderTimestamp: number, command: string): string {
  const is = (s: string): boolean => command.startsWith(s);
  const rtc = host.rtc;
  if (is('poweroff') || is('shutdown')) {
    host.powerOff();
    return '';
  }
  if (is('reboot')) {
    host.reboot();
    return '';
  }
  if (is('clkreboot')) {
    rtc.setCurrentTime(CLKREBOOT_TIME);
    host.reboot();
    return '';
  }
  if (is('advert.zerohop') && (command.length === 14 || command[14] === ' ')) {
    host.sendSelfAdvertisement(1500, false);
    return 'OK - zerohop advert sent';
  }
  if (is('advert')) {
    host.sendSelfAdvertisement(1500, true);
    return 'OK - Advert sent';
  }
  if (is('clock sync')) {
    const curr = rtc.getCurrentTime();
    if (senderTimestamp > curr) {
      rtc.setCurrentTime(senderTimestamp + 1);
      return `OK - clock set: ${formatClock(rtc.getCurrentTime())}`;
    }
    return 'ERR: clock cannot go backwards';
  }
  if (is('start ota')) return 'Error';
  if (is('clock')) return formatClock(rtc.getCurrentTime());
  if (is('time ')) {
    const secs = atoiDigits(command.slice(5));
    if (secs > rtc.getCurrentTime()) {
      rtc.setCurrentTime(secs);
      return `OK - clock set: ${formatClock(rtc.getCurrentTime())}`;
    }
    return '(ERR: clock cannot go backwards)';
  }
  if (is('neighbors')) return host.formatNeighborsReply();
  if (is('neighbor.remove ')) {
    const hex = command.slice(16);
    const len = Math.trunc(Math.min(hex.length, 64) / 2);
    const prefix = fromHex(hex, len);
    if (!prefix) return 'ERR: bad pubkey';
    host.removeNeighbor(prefix);
    return 'OK';
  }
  if (is('tempradio ')) {
    const parts = parseTextParts(command.slice(10), 5);
    const freq = parts.length > 0 ? Math.fround(atof(parts[0])) : 0;
    const bw = parts.length > 1 ? Math.fround(atof(parts[1])) : 0;
    const sf = parts.length > 2 ? u8(atoi(parts[2])) : 0;
    const cr = parts.length > 3 ? u8(atoi(parts[3])) : 0;
    const mins = parts.length > 4 ? atoi(parts[4]) : 0;
    if (freq >= 150 && freq <= 2500 && sf >= 5 && sf <= 12 && cr >= 5 && cr <= 8 && bw >= 7 && bw <= 500 && mins > 0) {
      host.applyTempRadioParams(freq, bw, sf, cr, mins);
      return `OK - temp params for ${mins} mins`;
    }
    return 'Error, invalid params';
  }
  if (is('password ')) {
    host.prefs.password = cString(command.slice(9), 16);
    cliSavePrefs(host);
    return `password now: ${host.prefs.password}`;
  }
  if (is('clear stats')) {
    host.clearStats();
    return '(OK - stats reset)';
  }
  if (is('get ')) return handleGetCmd(host, senderTimestamp, command);
  if (is('set ')) return handleSetCmd(host, senderTimestamp, command);
  if (senderTimestamp === 0 && command === 'erase') return 'File system erase: Err';
  if (is('ver')) return `${host.firmwareVersion} (Build: ${host.buildDate})`;
  if (is('board')) return host.manufacturerName;
  // no sensors on this node (SensorManager defaults)
  if (is('sensor get ')) return 'null';
  if (is('sensor set ')) return "can't find custom var";
  if (is('sensor list')) return 'no custom var';
  if (is('region')) return handleRegionCmd(host, command);
  // not NRF52, not ESP32: the firmware's "Board not supported" branch (nothing saved)
  if (is('powersaving on')) return 'Board not supported';
  if (is('powersaving off')) {
    host.prefs.powersavingEnabled = 0;
    cliSavePrefs(host);
    return 'off';
  }
  if (is('powersaving')) return host.prefs.powersavingEnabled ? 'on' : 'off';
  if (is('log start')) {
    host.setLoggingOn(true);
    return '   logging on';
  }
  if (is('log stop')) {
    host.setLoggingOn(false);
    return '   logging off';
  }
  if (is('log erase')) {
    host.eraseLogFile();
    return '   log erased';
  }
  if (senderTimestamp === 0 && is('log')) {
    host.dumpLogFile();
    return '   EOF';
  }
  const exact = (s: string): boolean => is(s) && (command.length === s.length || command[s.length] === ' ');
  if (senderTimestamp === 0 && exact('stats-packets')) return host.formatPacketStatsReply();
  if (senderTimestamp === 0 && exact('stats-radio')) return host.formatRadioStatsReply();
  if (senderTimestamp === 0 && exact('stats-core')) return host.formatStatsReply();
  return 'Unknown command';
}
