/**
 * CLI answers as CommonCLI.cpp / MyMesh::handleCommand give them (texts transcribed from the v1.17.1 sources), on
 * the console and over the air (TXT_MSG txt_type CLI_DATA from an admin, answered as CLI_DATA after 600 ms, with
 * an ACK first for a plain-text command, nothing for a retry, "Unknown command" for the console-only ones).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PAYLOAD_TYPE, ROUTE_TYPE } from '../ota/packet.js';
import { textAckCode } from '../ota/text-payload.js';
import { formatClock } from './c-text.js';
import { decodeAdvertData } from '../ota/advert-data.js';
import { bytes, cliOverAir, loginAdmin, makeRepeater, u32 } from './testing/repeater-fixture.js';
import { transportCode } from '../ota/transport-code.js';
import { createHash } from 'node:crypto';

test('console: get/set of the prefs, with the firmware texts and bounds', () => {
  const f = makeRepeater();
  const r = f.repeater;
  const table: [string, string][] = [
    ['get name', '> repeater'],
    ['get radio', '> 869.6179809,62.5,8,5'],
    ['get freq', '> 869.6179809'],
    ['get tx', '> 20'],
    ['get af', '> 1.0'],
    ['get dutycycle', '> 50.0%'],
    ['get advert.interval', '> 2'],
    ['get flood.advert.interval', '> 47'],
    ['get flood.max', '> 64'],
    ['get flood.max.unscoped', '> 64'],
    ['get flood.max.advert', '> 8'],
    ['get loop.detect', '> off'],
    ['get repeat', '> on'],
    ['get txdelay', '> 0.5'],
    ['get direct.txdelay', '> 0.3'],
    ['get rxdelay', '> 0.0'],
    ['get lat', '> 0.0'],
    ['get guest.password', '> '],
    ['get role', '> repeater'],
    ['get path.hash.mode', '> 0'],
    ['get multi.acks', '> 0'],
    ['get owner.info', '> '],
    ['get bridge.type', '> none'],
    ['get radio.fem.rxgain', 'Error: unsupported'],
    ['get pwrmgt.support', '> unsupported'],
    ['get extra.sf', 'No extra SF configured'],
    ['get nonsense', '??: nonsense'],
    ['set name Roof:top', 'Error, bad chars'],
    ['set name Rooftop relay', 'OK'],
    ['get name', '> Rooftop relay'],
    // CommonCLI::savePrefs turned the default 2-minute zero-hop advert off with that first change
    ['get advert.interval', '> 0'],
    ['set advert.interval 30', 'Error: interval range is 60-240 minutes'],
    ['set advert.interval 241', 'Error: interval range is 60-240 minutes'],
    ['set advert.interval 90', 'OK'],
    ['get advert.interval', '> 90'],
    ['set flood.advert.interval 2', 'Error: interval range is 3-168 hours'],
    ['set flood.advert.interval 12', 'OK'],
    ['get flood.advert.interval', '> 12'],
    ['set flood.max 65', 'Error, max 64'],
    ['set flood.max 300', 'OK'], // uint8_t m = atoi("300") = 44
    ['get flood.max', '> 44'],
    ['set flood.max.unscoped 3', 'OK'],
    ['get flood.max.unscoped', '> 3'],
    ['set flood.max.advert 4', 'OK'],
    ['set loop.detect sometimes', 'Error, must be: off, minimal, moderate, or strict'],
    ['set loop.detect moderate', 'OK'],
    ['get loop.detect', '> moderate'],
    ['set radio 869.525,250,11,5', 'OK - reboot to apply'],
    ['get radio', '> 869.5250244,250,11,5'],
    ['set radio 100,250,11,5', 'Error, invalid radio params'],
    ['set tx 22', 'OK'],
    ['get tx', '> 22'],
    ['set dutycycle 10', 'OK - 10.0%'],
    ['get af', '> 9.0'],
    ['set dutycycle 0', 'ERROR: dutycycle must be 1-100'],
    ['set txdelay 3', 'Error, must be 0-2'],
    ['set txdelay 1.5', 'OK'],
    ['set rxdelay 21', 'Error, must be 0-20'],
    ['set repeat off', 'OK - repeat is now OFF'],
    ['get repeat', '> off'],
    ['set repeat on', 'OK - repeat is now ON'],
    ['set guest.password guest', 'OK'],
    ['set path.hash.mode 3', 'Error, must be 0,1, or 2'],
    ['set agc.reset.interval 10', 'OK - interval rounded to 8'],
    ['set radio.rxgain on', 'Error: unsupported'],
    ['set adc.multiplier 2', 'Error: unsupported'],
    ['set prv.key 00', 'Error, bad key'],
    ['set lat 51.5074', 'OK'],
    ['get lat', '> 51.5074005'],
    ['set owner.info Ann|+44 1', 'OK'],
    ['get owner.info', '> Ann|+44 1'],
    ['set bogus 1', 'unknown config: bogus 1'],
    ['password s3cret', 'password now: s3cret'],
    ['ver', 'v1.17.1 (Build: 14 Aug 2026)'],
    ['board', 'Lattice Edge'],
    ['neighbors', '-none-'],
    ['neighbor.remove abc', 'ERR: bad pubkey'],
    ['neighbor.remove zz', 'OK'], // Utils::fromHex reads a non-hex digit as 0
    ['tempradio 869.5,62.5,8,5', 'Error, invalid params'],
    ['tempradio 869.5,62.5,8,5,10', 'OK - temp params for 10 mins'],
    ['time 100', '(ERR: clock cannot go backwards)'],
    ['clock sync', 'ERR: clock cannot go backwards'],
    ['clear stats', '(OK - stats reset)'],
    ['sensor list', 'no custom var'],
    ['sensor get x', 'null'],
    ['powersaving', 'off'],
    ['powersaving on', 'Board not supported'],
    ['log start', '   logging on'],
    ['log', '   EOF'],
    ['discover.neighbors now', 'Err - discover.neighbors has no options'],
    ['discover.neighbors', 'OK - Discover sent'],
    ['setperm zz', 'Err - bad params'],
    ['setperm zz 3', 'Err - invalid params'], // a 1-byte key: roles other than guest need the whole key
    [`setperm ${'ab'.repeat(32)} 3`, 'OK'],
    ['setperm ab 0', 'OK'], // guest role: delete by prefix
    ['frobnicate', 'Unknown command'],
    ['ab|get tx', 'ab|> 22'],
    ['   get tx', '> 22'],
  ];
  for (const [cmd, want] of table) assert.is(r.command(cmd), want, cmd);
  assert.is(r.command('clock'), formatClock(f.rtc.getCurrentTime()));
  assert.is(r.command('get public.key'), `> ${Buffer.from(f.self.publicKey).toString('hex').toUpperCase()}`);
  assert.equal(f.hookCalls, ['tx 22', 'tempradio 869.5 62.5 8 5 10']);
  assert.is(r.prefs.airtimeFactor, 9);
  assert.is(r.prefs.password, 's3cret');
  assert.is(r.command('reboot'), '');
  assert.equal(f.hookCalls.at(-1), 'reboot');
  const t = f.rtc.getCurrentTime() + 1000;
  assert.is(r.command(`time ${t}`), `OK - clock set: ${formatClock(t)}`);
  assert.is(f.rtc.getCurrentTime(), t);
  assert.ok(f.mesh.created.some((c) => c.op === 'control' && c.data?.[0] === 0x80 && c.data[1] === 4), 'DISCOVER_REQ for repeaters');
});

test('region commands: tree, put, allowf/denyf, list, get, home, default, save', () => {
  const f = makeRepeater();
  const r = f.repeater;
  const table: [string, string][] = [
    ['region', '*^ F\n'],
    ['region put de', 'OK - (flood allowed)'],
    ['region put berlin de', 'OK - (flood allowed)'],
    ['region put x! de', 'Err - unable to put'],
    ['region put y nowhere', 'Err - unknown parent'],
    ['region', '*^ F\n de F\n  berlin F\n'],
    ['region denyf berlin', 'OK'],
    ['region denyf nowhere', 'Err - unknown region'],
    ['region get berlin', ' berlin (de) '],
    ['region get de', ' de F'],
    ['region denyf *', 'OK'],
    ['region list allowed', 'de'],
    ['region list denied', '*,berlin'],
    ['region list maybe', "Err - use 'allowed' or 'denied'"],
    ['region home', ' home is *'],
    ['region home ber', ' home is now berlin'],
    ['region', '*\n de F\n  berlin^\n'],
    ['region remove de', 'Err - not empty'],
    ['region remove berlin', 'OK'],
    ['region default', ' default scope is <null>'],
    ['region default #nl', ' default scope is now #nl'],
    ['region default', ' default scope is #nl'],
    ['region allow de', 'Err - ??'],
    ['region save', 'OK'],
  ];
  for (const [cmd, want] of table) assert.is(r.command(cmd), want, cmd);
  // our own flood advert now goes scoped with the #nl key
  r.advertNow(true);
  const s = f.mesh.sent.at(-1);
  assert.ok(s?.kind === 'flood' && s.options.transportCodes);
  const key = createHash('sha256').update('#nl').digest().subarray(0, 16);
  if (s?.kind === 'flood') assert.is(s.options.transportCodes?.[0], transportCode(key, s.packet.payloadType, s.packet.payload));
});

test('region def: a path of names, "name|jump" continuing from another region', () => {
  const f = makeRepeater();
  assert.is(f.repeater.command('region def eu de|eu fr'), '*^ F\n eu F\n  de F\n  fr F\n');
  assert.is(f.repeater.command('region def'), 'Err - empty def');
  assert.is(f.repeater.command('region def x|nowhere'), 'Err - unknown jump: nowhere');
  assert.is(f.repeater.command('region def |eu'), 'Err - empty name');
});

test('region load: indented lines build a new map, a blank line ends it', () => {
  const f = makeRepeater();
  const r = f.repeater;
  assert.is(r.command('region load'), '');
  assert.is(r.command(' eu F'), '');
  assert.is(r.command('  de'), '');
  assert.is(r.command('  fr F'), '');
  assert.is(r.command(''), 'OK - loaded 3 regions');
  assert.is(r.command('region'), '*^ F\n eu F\n  de\n  fr F\n');
});

test('over the air: CLI_DATA from an admin gets a CLI_DATA reply after 600 ms by the route it came', () => {
  const f = makeRepeater();
  loginAdmin(f);
  assert.is(cliOverAir(f, 2000, 'get name'), '> repeater');
  const dg = f.mesh.created.at(-1);
  assert.is(dg?.data?.[4], 1 << 2, 'txt_type CLI_DATA, attempt 0');
  const s = f.mesh.sent.at(-1);
  assert.ok(s?.kind === 'flood' && s.options.delayMs === 600);
  assert.is(cliOverAir(f, 2001, 'stats-core'), 'Unknown command', 'console-only over the air');
  assert.is(cliOverAir(f, 2002, 'log'), 'Unknown command');
  // retry: same timestamp, no second answer
  assert.is(cliOverAir(f, 2002, 'get name'), '');
  // older timestamp: refused
  assert.is(cliOverAir(f, 1999, 'get name'), '');
  assert.is(f.repeater.counters.replays, 1);
  assert.ok(f.repeater.command('stats-core').startsWith('{"battery_mv":0,"uptime_secs":'));
  assert.is(f.repeater.command('stats-packets'), '{"recv":0,"sent":0,"flood_tx":0,"direct_tx":0,"flood_rx":0,"direct_rx":0,"recv_errors":0}');
  assert.is(f.repeater.command('stats-radio'), '{"noise_floor":0,"last_rssi":0,"last_snr":0.00,"tx_air_secs":0,"rx_air_secs":0}');
});

test('over the air: a plain-text command is ACKed (SHA-256 of ts·flags·text ‖ client key) before the reply', () => {
  const f = makeRepeater();
  loginAdmin(f);
  assert.is(cliOverAir(f, 3000, 'ver', 0), 'v1.17.1 (Build: 14 Aug 2026)');
  const ack = f.mesh.created.find((c) => c.op === 'ack');
  const plain = bytes(u32(3000), [0], 'ver');
  assert.is(ack?.ack, textAckCode(plain, plain.length, f.client.publicKey));
  assert.is(f.mesh.sent.length, 2);
  assert.ok(f.mesh.sent[0].kind === 'flood' && f.mesh.sent[0].options.delayMs === 200);
});

test('over the air: guests and unsupported txt types get no CLI', () => {
  const f = makeRepeater();
  // guest login (blank password, empty guest password)
  f.repeater.handler.onAnonDataRecv?.(
    { packet: { routeType: ROUTE_TYPE.FLOOD, payloadType: PAYLOAD_TYPE.ANON_REQ, version: 0, transportCodes: [0, 0], pathHashSize: 1, path: new Uint8Array(0), payload: new Uint8Array(40) }, raw: new Uint8Array(42), snrDb: 1, rssiDbm: -80, receivedAt: 0 },
    f.secret,
    f.client.publicKey,
    bytes(u32(10), new Uint8Array(12)),
  );
  f.mesh.created.length = 0;
  assert.is(cliOverAir(f, 2000, 'get name'), '');
  assert.is(f.repeater.counters.cliRefused, 1);
  loginAdmin(f, 20);
  assert.is(cliOverAir(f, 2000, 'get name', 2), '');
  assert.is(f.repeater.counters.cliRefused, 2);
});

test('advert now: signed repeater advert with name and the location the prefs give', () => {
  const f = makeRepeater();
  f.repeater.command('set name Hill');
  f.repeater.command('set lat 52.5');
  f.repeater.advertNow(false);
  const ad = f.mesh.created.filter((c) => c.op === 'advert').at(-1);
  assert.equal(decodeAdvertData(ad?.data ?? new Uint8Array(0)), { type: 2, name: 'Hill', lat: 52.5, lon: 0 });
  const s = f.mesh.sent.at(-1);
  assert.ok(s?.kind === 'zero-hop' && s.delayMs === 0);
});

test.run();
