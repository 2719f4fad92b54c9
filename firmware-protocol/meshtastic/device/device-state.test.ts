/** DeviceState and its NodeDB: first start, restore, corrupt store, boot count, key-change refusal, bounded DB. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import { DeviceState } from './device-state.js';
import { MemoryDeviceStore } from './device-store.js';
import { JsonFileDeviceStore } from './json-file-store.js';

const key = (b: number) => new Uint8Array(32).fill(b);
const state = (store = new MemoryDeviceStore(), maxNodes?: number) => new DeviceState({
  myNodeNum: 0xabc, publicKey: key(1), hardware: { firmwareVersion: '2.7.26', hwModel: Mesh.HardwareModel.PORTDUINO, pioEnv: 'native' },
  owner: { longName: 'Relay', shortName: 'RLY' }, store, maxNodes,
});

test('first start from defaults, then each start counts a boot and restores owner, channels and nodes', () => {
  const store = new MemoryDeviceStore();
  const a = state(store);
  assert.is(a.rebootCount, 1);
  assert.is(a.owner.id, '!00000abc');
  a.owner.longName = 'Renamed';
  a.nodeDb.updateUser(0x99, create(Mesh.UserSchema, { longName: 'Peer', publicKey: key(9) }), 0);
  a.changed();
  const b = state(store);
  assert.is(b.rebootCount, 2);
  assert.is(b.owner.longName, 'Renamed');
  assert.equal(b.nodeDb.publicKeyOf(0x99), key(9));
});

test('next hops live with the NodeDB (NodeInfoLite.next_hop): kept across a restart, cleared by 0, only for known nodes', () => {
  const store = new MemoryDeviceStore();
  const a = state(store);
  a.nodeDb.updateUser(0x99, create(Mesh.UserSchema, { longName: 'Peer', publicKey: key(9) }), 0);
  a.nodeDb.setNextHop(0x99, 0x42);
  a.nodeDb.setNextHop(0x77, 0x42); // not in the DB: nothing to keep it with
  assert.is(a.nodeDb.nextHopOf(0x99), 0x42);
  assert.is(a.nodeDb.nextHopOf(0x77), undefined);
  assert.equal([...a.nodeDb.nodes()].map((n) => n.num), [0x99]);
  a.flush();
  const b = state(store);
  assert.is(b.nodeDb.nextHopOf(0x99), 0x42);
  b.nodeDb.setNextHop(0x99, 0);
  b.flush();
  assert.is(state(store).nodeDb.nextHopOf(0x99), undefined);
});

test('a corrupt JSON store is a DeviceStoreCorruptError; a missing file is a first start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-devstate-'));
  try {
    const path = join(dir, 'mt.json');
    assert.is(new JsonFileDeviceStore(path).load(), undefined);
    writeFileSync(path, '{"version":1, "owner": 3');
    assert.throws(() => state(new JsonFileDeviceStore(path) as never), (e: Error) => e.name === 'DeviceStoreCorruptError');
    writeFileSync(path, JSON.stringify({ version: 7 }));
    assert.throws(() => new JsonFileDeviceStore(path).load(), (e: Error) => e.name === 'DeviceStoreCorruptError');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('NodeDB: a key change for a known node is refused; a full DB evicts the oldest keyless non-favourite', () => {
  const s = state(new MemoryDeviceStore(), 3);
  const db = s.nodeDb;
  assert.ok(db.updateUser(1, create(Mesh.UserSchema, { publicKey: key(1) }), 0));
  assert.not.ok(db.updateUser(1, create(Mesh.UserSchema, { publicKey: key(2) }), 0));
  assert.is(db.keyMismatches, 1);
  db.heardFrom(create(Mesh.MeshPacketSchema, { from: 2, rxTime: 100, hopStart: 3, hopLimit: 1, payloadVariant: { case: 'decoded', value: {} } }));
  assert.is(db.get(2)!.hopsAway, 2);
  db.heardFrom(create(Mesh.MeshPacketSchema, { from: 3, rxTime: 50, payloadVariant: { case: 'decoded', value: {} } }));
  db.setFavorite(3, true);
  db.heardFrom(create(Mesh.MeshPacketSchema, { from: 4, rxTime: 200, payloadVariant: { case: 'decoded', value: {} } }));
  assert.is(db.size, 3);
  assert.is(db.get(2), undefined, 'node 2: oldest without a key and not a favourite');
  assert.ok(db.get(1) && db.get(3) && db.get(4));
});

test.run();
