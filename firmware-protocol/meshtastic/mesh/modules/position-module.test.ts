/**
 * Our fixed position on the air (firmware PositionModule runOnce / sendOurPosition / allocPositionPacket,
 * PositionPrecision.cpp): broadcast on the first channel that shares positions, after the module's start delay and
 * then at most every 12 h while fixed, blurred to the channel's precision; no channel sharing = nothing sent.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import { ManualClock } from '../../../../lib/testing/manual-clock.js';
import { MemoryAir } from '../testing/memory-air.js';
import { LONG_FAST, testNode } from '../testing/test-node.js';
import { POSITION_START_DELAY_MS, POSITION_STATIONARY_BROADCAST_MS, truncateCoordinate } from './position-module.js';

const A = 0x0a0a0a01, B = 0x0b0b0b02;
const ROOF = create(Mesh.PositionSchema, { latitudeI: 523_700_123, longitudeI: 48_900_456, altitude: 12, locationSource: Mesh.Position_LocSource.LOC_MANUAL });

function pair(precision: number) {
  const clock = new ManualClock();
  const air = new MemoryAir(clock, LONG_FAST);
  const a = testNode(air, clock, 'A', A, 'CLIENT', {
    position: () => ROOF,
    positionPrecision: () => precision,
    positionConfig: () => ({ fixedPosition: true, broadcastSecs: 0, flags: 0 }),
  });
  const b = testNode(air, clock, 'B', B);
  air.link('A', 'B');
  a.router.start();
  b.router.start();
  return { clock, a, b };
}

test('a fixed position is broadcast after the start delay, blurred to the channel precision, then not again for 12 h', async () => {
  const { clock, a, b } = pair(13);
  await clock.advance(POSITION_START_DELAY_MS - 1_000);
  assert.is(a.router.position.sent, 0, 'not before the start delay');
  await clock.advance(10_000);
  assert.is(a.router.position.sent, 1);
  const heard = b.directory.get(A)?.position;
  assert.ok(heard, 'B learnt our position');
  assert.is(heard!.latitudeI, truncateCoordinate(ROOF.latitudeI!, 13));
  assert.is(heard!.longitudeI, truncateCoordinate(ROOF.longitudeI!, 13));
  assert.is(heard!.precisionBits, 13);
  assert.is(heard!.locationSource, Mesh.Position_LocSource.LOC_MANUAL);
  await clock.advance(POSITION_STATIONARY_BROADCAST_MS - 60_000);
  assert.is(a.router.position.sent, 1, 'a fixed position goes out at most every 12 h');
  await clock.advance(120_000);
  assert.is(a.router.position.sent, 2);
  a.router.stop();
  b.router.stop();
});

test('no channel shares positions (precision 0, the firmware default): nothing is sent', async () => {
  const { clock, a, b } = pair(0);
  await clock.advance(POSITION_START_DELAY_MS + 60_000);
  assert.is(a.router.position.sent, 0);
  assert.is(b.directory.get(A)?.position, undefined);
  a.router.stop();
  b.router.stop();
});

test('truncateCoordinate keeps the top bits and moves to the middle of the cell (PositionPrecision.cpp)', () => {
  assert.is(truncateCoordinate(523_700_123, 32), 523_700_123);
  assert.is(truncateCoordinate(523_700_123, 16), (523_700_123 & ~0xffff) + 0x8000);
  assert.is(truncateCoordinate(-41_000_000, 10), ((-41_000_000 & (0xffffffff << 22)) + (1 << 21)) | 0);
});

test.run();
