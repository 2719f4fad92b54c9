/**
 * A fixed position as the firmware keeps it (AdminModule set_fixed_position / remove_fixed_position, NodeDB
 * updatePosition RX_SRC_LOCAL): our own NodeInfo shows it to clients, config.position.fixed_position follows, it
 * survives a restart, the node broadcasts it at once, and a heard packet claiming our number never sets it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create } from '@bufbuild/protobuf';
import { Admin, Mesh } from '@meshtastic/protobufs';
import { AdminModule } from './admin-module.js';
import { DeviceState } from './device-state.js';
import { MemoryDeviceStore } from './device-store.js';

const US = 0x1234abcd;
const state = (store: MemoryDeviceStore) => new DeviceState({
  myNodeNum: US, publicKey: new Uint8Array(32).fill(7),
  hardware: { firmwareVersion: '2.7.26', hwModel: Mesh.HardwareModel.PORTDUINO, pioEnv: 'test' },
  owner: { longName: 'Roof', shortName: 'ROOF' }, store,
});
const fromClient = create(Mesh.MeshPacketSchema, { from: 0, to: US, payloadVariant: { case: 'decoded', value: { portnum: 6, wantResponse: true } } });
const admin = (v: Admin.AdminMessage['payloadVariant']) => create(Admin.AdminMessageSchema, { payloadVariant: v });

test('set_fixed_position: own NodeInfo, fixed_position, saved, broadcast at once; remove_fixed_position clears it', () => {
  const store = new MemoryDeviceStore();
  const st = state(store);
  let sent = 0;
  const m = new AdminModule(st, { reboot: () => undefined, shutdown: () => undefined, changed: () => undefined, log: () => undefined, sendOurPosition: () => sent++ }, () => 1_000_000, Math.random);
  assert.is(st.ownNodeInfo(1).position, undefined, 'no position of our own to start with');
  const pos = create(Mesh.PositionSchema, { latitudeI: 523_700_000, longitudeI: 48_900_000, altitude: 12 });
  m.handle(fromClient, admin({ case: 'setFixedPosition', value: pos }));
  assert.is(st.config.position?.fixedPosition, true);
  assert.equal([st.ownNodeInfo(1).position?.latitudeI, st.ownNodeInfo(1).position?.longitudeI, st.ownNodeInfo(1).position?.altitude], [523_700_000, 48_900_000, 12]);
  assert.is(sent, 1, '"Send our new fixed position to the mesh for good measure"');
  // A packet heard from "us" (someone else using our number) never moves us.
  st.nodeDb.updatePosition(US, create(Mesh.PositionSchema, { latitudeI: 1, longitudeI: 1 }));
  assert.is(st.nodeDb.ownPosition?.latitudeI, 523_700_000);
  const again = state(store);
  assert.is(again.ownNodeInfo(1).position?.latitudeI, 523_700_000, 'kept across a restart');
  assert.is(again.config.position?.fixedPosition, true);
  m.handle(fromClient, admin({ case: 'removeFixedPosition', value: true }));
  assert.is(st.config.position?.fixedPosition, false);
  assert.is(st.ownNodeInfo(1).position, undefined);
  assert.is(state(store).nodeDb.ownPosition, undefined, 'removal saved too');
});

test.run();
