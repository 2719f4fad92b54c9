import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create, fromBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { meshtasticModulation } from '../../../lib/lora/meshtastic-presets.js';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { congestionScalingCoefficient, scaledIntervalMs } from './congestion-scaling.js';
import { MemoryAir } from './testing/memory-air.js';
import { LONG_FAST, dataOf, routingErrorOf, testNode } from './testing/test-node.js';

const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-5, `${what}: ${actual} ≠ ${expected}`);

test('congestionScalingCoefficient: 1 up to 40 nodes online, then 2^SF / (BW kHz × 100) per extra node (Default.h)', () => {
  assert.is(congestionScalingCoefficient(0, LONG_FAST), 1);
  assert.is(congestionScalingCoefficient(40, LONG_FAST), 1);
  // the firmware's own comment: "In SF11 and BW=250khz (longfast), this gives 0.08192"
  near(congestionScalingCoefficient(41, LONG_FAST), 1.08192, 'LongFast, 41');
  near(congestionScalingCoefficient(50, LONG_FAST), 1.8192, 'LongFast, 50');
  near(congestionScalingCoefficient(41, meshtasticModulation('EU_868', 'MEDIUM_SLOW')), 1.04096, 'MediumSlow (SF10/250)');
  near(congestionScalingCoefficient(41, meshtasticModulation('EU_868', 'MEDIUM_FAST')), 1.02048, 'MediumFast (SF9/250)');
  near(congestionScalingCoefficient(41, meshtasticModulation('EU_868', 'SHORT_FAST')), 1.00512, 'ShortFast (SF7/250)');
});

test('getConfiguredOrDefaultMsScaled: the 10-min NodeInfo limit grows for clients, not for routers', () => {
  assert.is(scaledIntervalMs(600_000, 'CLIENT', 40, LONG_FAST), 600_000);
  assert.is(scaledIntervalMs(600_000, 'CLIENT', 50, LONG_FAST), Math.trunc(Math.fround(600_000 * Math.fround(1.8192))));
  assert.is(scaledIntervalMs(600_000, 'ROUTER', 200, LONG_FAST), 600_000);
  assert.is(scaledIntervalMs(600_000, 'ROUTER_LATE', 200, LONG_FAST), 600_000);
  assert.is(scaledIntervalMs(0x7fffffff, 'CLIENT', 1000, LONG_FAST), 0x7fffffff, 'saturates at INT32_MAX');
});

/**
 * A CLIENT with `online` nodes online — the router that asks it for its NodeInfo, a second router, and `online` − 2
 * heard just now — asked `askAtMs` after start: does it answer? Its own NodeInfo broadcast went out 30 s after start.
 */
async function answersNodeInfoRequest(online: number, askAtMs: number): Promise<boolean> {
  const clock = new ManualClock();
  const t0 = clock.now();
  const air = new MemoryAir(clock, LONG_FAST);
  const a = testNode(air, clock, 'A', 0x0a0a0a01);
  const asker = testNode(air, clock, 'B', 0x0b0b0b02, 'ROUTER');
  const other = testNode(air, clock, 'C', 0x0c0c0c03, 'ROUTER');
  for (let i = 0; i < online - 2; i++) a.directory.table.set(0x100 + i, create(Mesh.NodeInfoSchema, { num: 0x100 + i, lastHeard: Math.floor(t0 / 1000) }));
  air.link('A', 'B');
  air.link('A', 'C');
  for (const n of [a, asker, other]) n.router.start();
  await clock.advance(askAtMs);
  assert.ok(asker.router.nodeInfo.sendOurNodeInfo(a.num, true), 'B asks');
  await clock.advance(20_000);
  const replies = asker.toPhone.filter((p) => p.from === a.num && dataOf(p).portnum === Portnums.PortNum.NODEINFO_APP && dataOf(p).requestId !== 0);
  assert.is(asker.toPhone.filter((p) => routingErrorOf(p) === Mesh.Routing_Error.NO_RESPONSE).length, 0, 'a rate-limited request is ignored, not NAKed');
  if (replies[0]) assert.is(fromBinary(Mesh.UserSchema, dataOf(replies[0]).payload).longName, 'Node A');
  return replies.length === 1;
}

test('NodeInfoModule::allocReply: with 50 nodes online a client waits ≈18 min between NodeInfos, with 40 it waits 10', async () => {
  const min = 60_000;
  assert.is(await answersNodeInfoRequest(40, 11 * min), true, '40 online: 10 min');
  assert.is(await answersNodeInfoRequest(50, 11 * min), false, '50 online: not after 10.5 min');
  assert.is(await answersNodeInfoRequest(50, 19 * min), true, '50 online: 600 s × 1.8192 ≈ 18.2 min');
});

test.run();
