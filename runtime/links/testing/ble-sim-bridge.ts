/**
 * The device side of a simulated BLE radio: the GATT objects in the BlueZ mock (drivers/ble/testing) relayed to the
 * existing Meshtastic / MeshCore simulators over their TCP front end, so the simulators' protocol engines answer
 * over BLE unchanged. While the BLE link is up the bridge holds one TCP connection to the simulator (a BLE
 * connection is one PhoneAPI / one companion client in the firmware, like a TCP client); it closes with the link.
 *
 * What changes on the way is only what the firmware's BLE transport changes (Meshtastic
 * src/nimble/NimbleBluetooth.cpp, MeshCore src/helpers/esp32/SerialBLEInterface.cpp):
 * - Meshtastic: a ToRadio write is one bare protobuf (framed 0x94C3 towards the simulator's stream API); every
 *   FromRadio the simulator emits is unframed and queued for FromRadio reads, with a FromNum notification.
 * - MeshCore: an RX write is one command frame ('<' + length towards the simulator); each '>' frame from the
 *   simulator becomes one TX notification without the header.
 */
import { connect, type Socket } from 'node:net';
import type { MockRadio } from '../../../drivers/ble/testing/bluez-mock.js';
import { MeshtasticStreamDecoder, encodeStreamFrame } from '../../../firmware-protocol/framing/meshtastic-stream.js';
import {
  MESHCORE_MARKER_FROM_RADIO,
  MESHCORE_MARKER_TO_RADIO,
  MeshCoreFrameDecoder,
  encodeMeshCoreFrame,
} from '../../../firmware-protocol/framing/meshcore-frame.js';

export interface BridgeStats {
  toSim: number;
  fromSim: number;
  tcpConnections: number;
}

export class BleSimBridge {
  readonly stats: BridgeStats = { toSim: 0, fromSim: 0, tcpConnections: 0 };
  private socket?: Socket;
  private pending: Uint8Array[] = [];
  private connected = false;
  private tail: Promise<void> = Promise.resolve();
  private readonly offs: Array<() => void> = [];
  /** Hook for tests: rewrite what goes to the BLE side (split, reorder, duplicate notifications). */
  deliver?: (payload: Uint8Array, send: (p: Uint8Array) => Promise<void>) => Promise<void>;

  constructor(readonly radio: MockRadio, private readonly sim: { host?: string; port: number }) {}

  get profile(): 'meshtastic' | 'meshcore' {
    return this.radio.init.profile;
  }

  async start(): Promise<void> {
    this.offs.push(await this.radio.onConnection((up) => (up ? this.openSim() : this.closeSim())));
    this.offs.push(await this.radio.onWrite(this.profile === 'meshtastic' ? 'toradio' : 'rx', (v) => this.toSim(v)));
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
    this.closeSim();
  }

  /** Sends one device → client value the way the firmware does over BLE. */
  send(payload: Uint8Array): Promise<void> {
    return this.profile === 'meshtastic' ? this.radio.pushFromRadio(payload) : this.radio.notify('tx', payload);
  }

  private openSim(): void {
    this.closeSim();
    this.connected = true;
    const socket = connect({ host: this.sim.host ?? '127.0.0.1', port: this.sim.port });
    this.socket = socket;
    this.stats.tcpConnections++;
    socket.setNoDelay(true);
    const mt = new MeshtasticStreamDecoder();
    const mc = new MeshCoreFrameDecoder({ marker: MESHCORE_MARKER_FROM_RADIO });
    socket.on('connect', () => {
      for (const p of this.pending.splice(0)) socket.write(p);
    });
    socket.on('data', (chunk: Buffer) => {
      const payloads = this.profile === 'meshtastic'
        ? mt.push(chunk).flatMap((e) => (e.type === 'frame' ? [e.payload] : []))
        : mc.push(chunk);
      for (const p of payloads) {
        this.stats.fromSim++;
        // One D-Bus call at a time, in order: the FromRadio queue / notification order is the simulator's.
        this.tail = this.tail.then(() => (this.deliver ? this.deliver(p, (x) => this.send(x)) : this.send(p))).catch(() => undefined);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      // The simulator hung up (reboot, refused while "down"): on BLE the radio drops the link.
      if (this.connected) {
        this.connected = false;
        void this.radio.dropLink().catch(() => undefined);
      }
    });
  }

  private closeSim(): void {
    this.connected = false;
    this.pending = [];
    this.socket?.destroy();
    this.socket = undefined;
  }

  private toSim(value: Uint8Array): void {
    if (!this.connected) return;
    this.stats.toSim++;
    const framed = this.profile === 'meshtastic' ? encodeStreamFrame(value) : encodeMeshCoreFrame(value, MESHCORE_MARKER_TO_RADIO);
    const s = this.socket;
    if (s && !s.connecting && !s.destroyed) s.write(framed);
    else this.pending.push(framed);
  }
}
