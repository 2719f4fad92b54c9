/**
 * Test support: the official JS SDK (@meshtastic/core MeshDevice) connected to a client API over TCP, as its Node
 * transport (@meshtastic/transport-node, not installed) would connect it: a node:net socket as web streams through
 * the SDK's own framing transforms (firmware-protocol/meshtastic/sim/sim-fidelity.test.ts does the same). Nothing of
 * ours is on the client side. Collects what the SDK reports: status, my node number, node infos, messages.
 */
import { connect, type Socket } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { MeshDevice, Utils } from '@meshtastic/core';
import { create, toBinary } from '@bufbuild/protobuf';
import { type Config, Mesh } from '@meshtastic/protobufs';
import { encodeStreamFrame } from '../../../../firmware-protocol/framing/meshtastic-stream.js';
import { waitFor } from '../../../../lib/testing/wait-for.js';

/** DeviceStatusEnum.DeviceConfigured in @meshtastic/core. */
export const DEVICE_CONFIGURED = 7;

export interface CoreMessage {
  id: number;
  from: number;
  to: number;
  channel: number;
  type: string;
  data: string;
}

export interface CoreNode {
  num: number;
  longName?: string;
  publicKey?: Uint8Array;
}

export class CoreClient {
  readonly statuses: number[] = [];
  readonly messages: CoreMessage[] = [];
  readonly nodes = new Map<number, CoreNode>();
  /** Every Config section the SDK got (the handshake's, get_config answers). */
  readonly configs: Config.Config[] = [];
  /** Every MeshPacket the SDK saw (decoded), for pki_encrypted and public_key checks. */
  readonly packets: Mesh.MeshPacket[] = [];
  myNodeNum = 0;

  private constructor(readonly device: MeshDevice, private readonly socket: Socket) {
    const e = device.events;
    e.onDeviceStatus.subscribe((s: number) => this.statuses.push(s));
    e.onMyNodeInfo.subscribe((m: { myNodeNum: number }) => (this.myNodeNum = m.myNodeNum));
    e.onNodeInfoPacket.subscribe((n: { num: number; user?: { longName?: string; publicKey?: Uint8Array } }) => this.node(n.num, n.user));
    e.onUserPacket.subscribe((p: { from: number; data: { longName?: string; publicKey?: Uint8Array } }) => this.node(p.from, p.data));
    e.onMessagePacket.subscribe((m: CoreMessage) => this.messages.push(m));
    e.onMeshPacket.subscribe((p: Mesh.MeshPacket) => this.packets.push(p));
    e.onConfigPacket.subscribe((c: Config.Config) => this.configs.push(c));
  }

  private node(num: number, user?: { longName?: string; publicKey?: Uint8Array }): void {
    const prev = this.nodes.get(num) ?? { num };
    this.nodes.set(num, { ...prev, ...(user?.longName ? { longName: user.longName } : {}), ...(user?.publicKey?.length ? { publicKey: user.publicKey } : {}) });
  }

  /** Connects and completes the want_config handshake (DeviceConfigured). */
  static async connect(port: number, host = '127.0.0.1'): Promise<CoreClient> {
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => undefined);
    const toDevice = Utils.toDeviceStream();
    void toDevice.readable.pipeTo(Writable.toWeb(socket) as WritableStream<Uint8Array>).catch(() => undefined);
    const fromDevice = (Readable.toWeb(socket) as ReadableStream<Uint8Array>).pipeThrough(Utils.fromDeviceStream());
    const transport = { toDevice: toDevice.writable, fromDevice, disconnect: async () => void socket.end() };
    const device = new MeshDevice(transport as unknown as ConstructorParameters<typeof MeshDevice>[0]);
    // Its queue keeps a 60 s timer per packet, never cleared even when the packet is acknowledged: shorter, and
    // unref'd so it does not hold a finished test process open (native-processes lingered 15 s after its last packet).
    const queue = (device as unknown as { queue: { timeout: number; push: (item: unknown) => void } }).queue;
    queue.timeout = 15_000;
    const push = queue.push.bind(queue);
    queue.push = (item) => withUnrefTimers(() => push(item));
    const log = (device as unknown as { log: { settings: { minLevel: number; type: string } } }).log;
    log.settings.minLevel = 5;
    log.settings.type = 'hidden';
    const c = new CoreClient(device, socket);
    void device.configure().catch(() => undefined);
    await waitFor('the SDK is configured', () => c.statuses.includes(DEVICE_CONFIGURED), 15_000);
    return c;
  }

  /**
   * The "nodeinfo ping" the Android app sends (ToRadio.heartbeat nonce 1): the node broadcasts its NodeInfo now.
   * Written as one whole frame on the socket beside the SDK's frames: the SDK 2.6.7 has no call for it (its
   * heartbeat() sends nonce 0) and its queue would hold a raw heartbeat until its timeout.
   */
  nodeInfoPing(): void {
    this.socket.write(encodeStreamFrame(toBinary(Mesh.ToRadioSchema, create(Mesh.ToRadioSchema, { payloadVariant: { case: 'heartbeat', value: { nonce: 1 } } }))));
  }

  async close(): Promise<void> {
    this.device.complete();
    const closed = new Promise<void>((r) => this.socket.once('close', () => r()));
    this.socket.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    this.socket.destroy();
  }
}

/** Runs `f` with setTimeout handing out unref'd timers (the SDK's queue creates its timer synchronously in push). */
function withUnrefTimers(f: () => void): void {
  const original = globalThis.setTimeout;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => original(...args).unref()) as typeof setTimeout;
  try {
    f();
  } finally {
    globalThis.setTimeout = original;
  }
}
