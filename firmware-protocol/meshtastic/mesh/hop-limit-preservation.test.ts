import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create } from '@bufbuild/protobuf';
import { Config, Mesh } from '@meshtastic/protobufs';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { shouldDecrementHopLimit } from './hop-limit-preservation.js';
import { NODENUM_BROADCAST } from './hops.js';
import type { MeshRole, MeshRoleName } from './role.js';
import { MemoryAir } from './testing/memory-air.js';
import { decodeTestFrame, encodeTestFrame } from './testing/test-frame-codec.js';
import { LONG_FAST, testNode, textPacket } from './testing/test-node.js';

const Role = Config.Config_DeviceConfig_Role;
const A = 0x0a0a0a01, B = 0x0b0b0b02;
const FAV_ROUTER = 0x11111155, FAV_CLIENT = 0x22222266, ROUTER_NOT_FAV = 0x33333377, FAV_BASE = 0x44444488;

function node(num: number, role: Config.Config_DeviceConfig_Role, isFavorite: boolean): Mesh.NodeInfo {
  return create(Mesh.NodeInfoSchema, { num, isFavorite, user: create(Mesh.UserSchema, { id: `!${num.toString(16)}`, role }) });
}
const NODES = [node(FAV_ROUTER, Role.ROUTER, true), node(FAV_CLIENT, Role.CLIENT, true), node(ROUTER_NOT_FAV, Role.ROUTER, false), node(FAV_BASE, Role.CLIENT_BASE, true)];
const packet = (hopLimit: number, relayNode: number) => create(Mesh.MeshPacketSchema, { from: A, to: NODENUM_BROADCAST, id: 7, hopStart: 3, hopLimit, relayNode });

test('Router::shouldDecrementHopLimit: only a router relaying for a favourite router (or CLIENT_BASE) keeps the hop', () => {
  const cases: Array<[string, MeshRole, number, number, boolean]> = [
    ['first hop always decrements', 'ROUTER', 3, 0x55, true],
    ['router, previous relay a favourite ROUTER', 'ROUTER', 2, 0x55, false],
    ['ROUTER_LATE, previous relay a favourite ROUTER', 'ROUTER_LATE', 2, 0x55, false],
    ['router, previous relay a favourite CLIENT_BASE', 'ROUTER', 2, 0x88, false],
    ['router, previous relay a favourite CLIENT', 'ROUTER', 2, 0x66, true],
    ['router, previous relay a ROUTER not favourite', 'ROUTER', 2, 0x77, true],
    ['router, previous relay unknown', 'ROUTER', 2, 0x99, true],
    ['CLIENT always decrements', 'CLIENT', 2, 0x55, true],
  ];
  for (const [name, role, hopLimit, relay, expected] of cases) assert.is(shouldDecrementHopLimit(packet(hopLimit, relay), role, NODES), expected, name);
  assert.is(shouldDecrementHopLimit(packet(2, 0x55), 'ROUTER', undefined), true, 'a directory that lists no nodes knows no favourites');
});

test('a ROUTER relays a packet that came through its favourite router with the same hop_limit; others with one less', async () => {
  const run = async (role: MeshRoleName, relayNode: number, hopLimit: number) => {
    const clock = new ManualClock();
    const air = new MemoryAir(clock, LONG_FAST);
    const a = testNode(air, clock, 'A', A);
    const b = testNode(air, clock, 'B', B, role);
    for (const n of NODES) b.directory.table.set(n.num, n);
    b.router.start();
    const enc = a.cipher.encrypt(textPacket(NODENUM_BROADCAST, 'through the backbone', { from: A, id: 0x4242 }));
    if (!enc.ok) throw new Error(enc.reason);
    Object.assign(enc.packet, { hopStart: 3, hopLimit, relayNode });
    air.inject('B', encodeTestFrame(enc.packet));
    await clock.advance(20_000);
    const relayed = air.sentBy('B').map((t) => decodeTestFrame(t.bytes)).find((h) => h.id === 0x4242);
    return { hopLimit: relayed?.hopLimit, preserved: b.metrics.count('hop-limit-preserved') };
  };
  assert.equal(await run('ROUTER', 0x55, 2), { hopLimit: 2, preserved: 1 });
  assert.equal(await run('ROUTER_LATE', 0x55, 2), { hopLimit: 2, preserved: 1 });
  assert.equal(await run('ROUTER', 0x77, 2), { hopLimit: 1, preserved: 0 });
  assert.equal(await run('CLIENT', 0x55, 2), { hopLimit: 1, preserved: 0 });
  assert.equal(await run('ROUTER', 0x55, 3), { hopLimit: 2, preserved: 0 }, 'first hop');
});

test.run();
