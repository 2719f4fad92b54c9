/**
 * What the native node needs from the firmware parts it is composed of (issue 13): the mesh router on the radio
 * (firmware-protocol/meshtastic/mesh), the over-the-air codec and cipher (…/ota) and the device side of the client
 * API (…/device). stack-from-parts.ts builds one from them; tests may give a fake.
 *
 * The node itself is one more client of the mesh: it sends and hears through the same MeshPort the client API
 * sessions use (firmware-protocol/meshtastic/device/mesh-port.ts), so what it sends is routed, encrypted, retried
 * and acknowledged exactly like an app's text, and every packet it hears is what the apps are shown.
 */
import type { Mesh } from '@meshtastic/protobufs';
import type { MeshPort } from '../../../firmware-protocol/meshtastic/device/mesh-port.js';
import type { MeshRoleName } from '../../../firmware-protocol/meshtastic/mesh/role.js';
import type { DeviceHttpClient } from '../../../firmware-protocol/meshtastic/device/http-client.js';
import type { TapListener } from '../../../firmware-protocol/meshtastic/mesh/gateway-tap.js';

/** One slot of the channel table as the device side holds it now (admin messages may change it). */
export interface NativeChannel {
  index: number;
  /** As the apps show it: the preset's name for an unnamed primary channel. */
  name: string;
  /** PRIMARY or SECONDARY (a DISABLED slot is not listed). */
  role: 'primary' | 'secondary';
}

/** The device side's persisted state as the node reports it (status, RadioInfo). */
export interface NativeDeviceState {
  longName: string;
  shortName: string;
  channels: NativeChannel[];
  /** The NodeDB, ourselves included. */
  nodes(): Mesh.NodeInfo[];
}

/** What an MQTT gateway needs of the stack beyond the node's identity and channels (runtime/bearers/mqtt/meshtastic):
 * the router's MQTT hooks (firmware-protocol/meshtastic/mesh/gateway-tap.ts) and what a map report says. */
export interface NativeGatewayParts {
  onTapped(listener: TapListener): () => void;
  injectReceived(packet: Mesh.MeshPacket): void;
  /** Our packet `id` came back on our own gateway id: an ACK to ourselves (MQTT.cpp onReceiveProto). */
  implicitAck(id: number, channel: number): void;
  knowsUser(num: number): boolean;
  /** Our own position, where the device state has one (its fixed position: `lora[].position` or a client's set_fixed_position); none = no map report. */
  ownPosition(): Mesh.Position | undefined;
  /** MapReport fields of the device config (enums as numbers). */
  mapFacts(): { role: number; region: number; modemPreset: number; hwModel: number; firmwareVersion: string; hasDefaultChannel: boolean };
}

export interface NativeStack {
  /** The MQTT gateway's hooks; a stack without them (a test's fake) cannot serve a gateway. */
  readonly gateway?: NativeGatewayParts;
  /** The mesh as a client sees it. */
  readonly port: MeshPort;
  state(): NativeDeviceState;
  /** Client API connections open now. */
  clients(): number;
  /** The firmware's HTTP API client of an HTTP session (/api/v1/toradio, /api/v1/fromradio; http-sessions.ts), made
   * on first use; the relay's API server serves the routes. Absent in stacks without a device side. */
  httpClient?(session: string): DeviceHttpClient;
  /** The port the client API listens on (the system's pick for port 0); undefined when it is off. */
  apiPort(): number | undefined;
  /** Starts the router (receive loop, NodeInfo broadcast), the device side and its client API. */
  start(): Promise<void>;
  /** Stops what start() started and flushes the device state. */
  stop(): Promise<void>;
  /** The mesh router's role from now on (runtime/power: ROUTER to CLIENT while the battery is low, and back). */
  setRole?(role: MeshRoleName): void;
  /** NodeInfo broadcast interval × factor from the next broadcast (runtime/power). */
  setNodeInfoIntervalFactor?(factor: number): void;
  /** Sends a packet we originate to the mesh, as a firmware module does (MeshService::sendToMesh, RX_SRC_LOCAL). */
  sendLocal?(packet: Mesh.MeshPacket): number;
  /** The firmware's LocalStats (DeviceMetrics carries channel and TX utilisation and uptime from them). */
  localStats?(): { uptimeSeconds: number; channelUtilization: number; airUtilTx: number };
}
