/** Telemetry as CayenneLPP 1.6.1 writes it in MeshCore (battery first, float32 maths), read by meshcore.js. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as MeshCoreJs from '@liamcottle/meshcore.js';
import { decodeLpp, LPP, LppWriter, TELEMETRY_MAX_SIZE, voltsFromMilliVolts } from './cayenne-lpp.js';
import { TELEM_CHANNEL_SELF } from './request-codes.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const CayenneLpp = (MeshCoreJs as unknown as { CayenneLpp: { parse(b: Uint8Array): { channel: number; type: number; value: unknown }[] } }).CayenneLpp;

test('battery as the firmware sends it: channel 1, type 116, u16 BE of volts × 100 (float32, truncated)', () => {
  const w = new LppWriter();
  w.addVoltage(TELEM_CHANNEL_SELF, voltsFromMilliVolts(4100));
  assert.is(hex(w.bytes()), '0174019a'); // 410: 4.1f × 100 rounds up in float32 before truncation
  const cases: [number, number][] = [[3700, 370], [4199, 419], [0, 0], [3999, 399], [65535, 6553]];
  for (const [mv, v] of cases) {
    const x = new LppWriter();
    x.addVoltage(1, voltsFromMilliVolts(mv));
    assert.is(Buffer.from(x.bytes()).readUInt16BE(2), v, `${mv} mV`);
  }
});

test('temperature signed 0.1 °C; negative unsigned values lose their sign (library behaviour)', () => {
  const w = new LppWriter();
  w.addTemperature(1, -12.5);
  w.addTemperature(1, 31.4);
  w.addVoltage(2, -1);
  assert.is(hex(w.bytes()), '0167ff83' + '0167013a' + '02740064');
});

test('GPS: int32 × 10000 / × 100 cut to 3 bytes each', () => {
  const w = new LppWriter();
  w.addGps(1, 47.5439, -122.1086, 120.5);
  const b = w.bytes();
  assert.is(b.length, 11);
  assert.is(b[1], LPP.GPS);
  const d = decodeLpp(b)[0].value as number[];
  assert.ok(Math.abs(d[0] - 47.5439) < 1e-4 && Math.abs(d[1] + 122.1086) < 1e-4 && Math.abs(d[2] - 120.5) < 1e-2);
});

test('our decoder and meshcore.js read the same fields', () => {
  const w = new LppWriter();
  w.addVoltage(1, voltsFromMilliVolts(3871));
  w.addTemperature(1, 23.7);
  w.addField(LPP.RELATIVE_HUMIDITY, 2, 55.5);
  w.addField(LPP.BAROMETRIC_PRESSURE, 2, 1013.2);
  w.addGps(3, 52.1, 4.3, -5);
  const ours = decodeLpp(w.bytes());
  const theirs = CayenneLpp.parse(w.bytes());
  assert.is(ours.length, theirs.length);
  for (let i = 0; i < ours.length; i++) {
    assert.is(ours[i].channel, theirs[i].channel);
    assert.is(ours[i].type, theirs[i].type);
    if (ours[i].type === LPP.GPS) {
      const t = theirs[i].value as { latitude: number; longitude: number; altitude: number };
      assert.equal(ours[i].value, [t.latitude, t.longitude, t.altitude]);
    } else assert.is(ours[i].value, theirs[i].value);
  }
});

test('overflow: a field that does not fit is dropped (180-byte buffer), padding ends decoding', () => {
  const w = new LppWriter();
  let n = 0;
  while (w.addVoltage(1, 3.3)) n++;
  assert.is(n, Math.floor(TELEMETRY_MAX_SIZE / 4));
  assert.is(w.size, n * 4);
  const padded = new Uint8Array(16);
  padded.set(Buffer.from('0174014a', 'hex'));
  assert.is(decodeLpp(padded).length, 1);
  assert.throws(() => decodeLpp(Buffer.from('01fe0000', 'hex')), (e: Error) => e.name === 'MeshCoreMalformedPacketError');
  assert.throws(() => decodeLpp(Buffer.from('017401', 'hex')), (e: Error) => e.name === 'MeshCoreMalformedPacketError');
});

test.run();
