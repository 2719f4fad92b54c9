/** Test support: a MeshRouter on a MemoryAir with the test cipher, header codec, directory and metrics. */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import type { TimerClock } from '../../../../lib/clock/timer-clock.js';
import { meshtasticModulation } from '../../../../lib/lora/meshtastic-presets.js';
import { MeshRouter, type MeshRouterOptions } from '../mesh-router.js';
import type { MeshRoleName } from '../role.js';
import type { MemoryAir } from './memory-air.js';
import { MemoryNodeDirectory } from './memory-node-directory.js';
import { RecordingMetrics, seededRandom } from './recording-metrics.js';
import { TestCipher } from './test-cipher.js';
import { decodeTestFrame, encodeTestFrame } from './test-frame-codec.js';

export const LONG_FAST = meshtasticModulation('EU_868', 'LONG_FAST');

export interface TestNode {
  name: string;
  num: number;
  router: MeshRouter;
  directory: MemoryNodeDirectory;
  metrics: RecordingMetrics;
  cipher: TestCipher;
  /** Everything delivered to the clients. */
  toPhone: Mesh.MeshPacket[];
}

export function testNode(air: MemoryAir, clock: TimerClock, name: string, num: number, role: MeshRoleName = 'CLIENT', extra: Partial<MeshRouterOptions> = {}): TestNode {
  const directory = new MemoryNodeDirectory();
  const metrics = new RecordingMetrics();
  const cipher = new TestCipher();
  let next = num & 0xffff;
  const router = new MeshRouter({
    nodeNum: num,
    role,
    cipher,
    directory,
    radio: air.join(name),
    modulation: LONG_FAST,
    clock,
    random: seededRandom(num),
    decodeFrame: decodeTestFrame,
    encodeFrame: encodeTestFrame,
    owner: () => create(Mesh.UserSchema, { longName: `Node ${name}`, shortName: name, publicKey: new Uint8Array(32).fill(num & 0xff) }),
    packetId: () => (++next << 8) >>> 0 || 1,
    metrics,
    unixSeconds: () => Math.floor(clock.now() / 1000),
    ...extra,
  });
  const toPhone: Mesh.MeshPacket[] = [];
  router.onToPhone((p) => toPhone.push(p));
  return { name, num, router, directory, metrics, cipher, toPhone };
}

export function textPacket(to: number, text: string, init: { from?: number; id?: number; hopLimit?: number; wantAck?: boolean; channel?: number } = {}): Mesh.MeshPacket {
  const p = create(Mesh.MeshPacketSchema, init);
  p.to = to;
  p.payloadVariant = { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.TEXT_MESSAGE_APP, payload: new TextEncoder().encode(text) }) };
  return p;
}

export function dataOf(p: Mesh.MeshPacket): Mesh.Data {
  if (p.payloadVariant.case !== 'decoded') throw new Error('not decoded');
  return p.payloadVariant.value;
}

export function routingErrorOf(p: Mesh.MeshPacket): Mesh.Routing_Error | undefined {
  const d = dataOf(p);
  if (d.portnum !== Portnums.PortNum.ROUTING_APP) return undefined;
  const r = fromBinary(Mesh.RoutingSchema, d.payload);
  return r.variant.case === 'errorReason' ? r.variant.value : undefined;
}

export { toBinary };
