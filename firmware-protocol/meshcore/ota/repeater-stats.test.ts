/** RepeaterStats (simple_repeater MyMesh.h): 56 bytes LE in member order, read back as meshcore.js reads it. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeRepeaterStats, decodeStatusResponse, encodeRepeaterStats, encodeStatusResponse, REPEATER_STATS_SIZE, type RepeaterStats } from './repeater-stats.js';

const stats: RepeaterStats = {
  battMilliVolts: 4123,
  currTxQueueLen: 2,
  noiseFloor: -112,
  lastRssi: -87,
  nPacketsRecv: 100000,
  nPacketsSent: 4242,
  totalAirTimeSecs: 3600,
  totalUpTimeSecs: 864000,
  nSentFlood: 1000,
  nSentDirect: 200,
  nRecvFlood: 90000,
  nRecvDirect: 1500,
  errEvents: 3,
  lastSnr: -22,
  nDirectDups: 7,
  nFloodDups: 65535,
  totalRxAirTimeSecs: 7200,
  nRecvErrors: 12,
};

test('56 bytes, member order, little-endian, signed where the struct is', () => {
  const b = Buffer.from(encodeRepeaterStats(stats));
  assert.is(b.length, REPEATER_STATS_SIZE);
  // Offsets of struct RepeaterStats.
  assert.is(b.readUInt16LE(0), 4123);
  assert.is(b.readUInt16LE(2), 2);
  assert.is(b.readInt16LE(4), -112);
  assert.is(b.readInt16LE(6), -87);
  assert.is(b.readUInt32LE(8), 100000);
  assert.is(b.readUInt32LE(12), 4242);
  assert.is(b.readUInt32LE(16), 3600);
  assert.is(b.readUInt32LE(20), 864000);
  assert.is(b.readUInt32LE(24), 1000);
  assert.is(b.readUInt32LE(28), 200);
  assert.is(b.readUInt32LE(32), 90000);
  assert.is(b.readUInt32LE(36), 1500);
  assert.is(b.readUInt16LE(40), 3);
  assert.is(b.readInt16LE(42), -22);
  assert.is(b.readUInt16LE(44), 7);
  assert.is(b.readUInt16LE(46), 65535);
  assert.is(b.readUInt32LE(48), 7200);
  assert.is(b.readUInt32LE(52), 12);
  assert.equal(decodeRepeaterStats(b), stats);
});

test('status response = tag · stats; values wrap like the C types', () => {
  const r = encodeStatusResponse(0xcafef00d, { ...stats, nPacketsRecv: 2 ** 32 + 5, lastRssi: 40000 });
  assert.is(r.length, 60);
  const d = decodeStatusResponse(r);
  assert.is(d.tag, 0xcafef00d);
  assert.is(d.stats.nPacketsRecv, 5);
  assert.is(d.stats.lastRssi, 40000 - 65536);
  assert.throws(() => decodeRepeaterStats(new Uint8Array(55)), (e: Error) => e.name === 'MeshCoreMalformedPacketError');
  // Decrypted data carries zero padding after the struct: ignored.
  const padded = new Uint8Array(64);
  padded.set(r);
  assert.is(decodeStatusResponse(padded).stats.nRecvErrors, 12);
});

test.run();
