/** What a MeshRouter is built from: identity, role, the seams (cipher, node directory, radio) and the firmware settings. */
import type { Mesh, Telemetry } from '@meshtastic/protobufs';
import type { TimerClock } from '../../../lib/clock/timer-clock.js';
import type { LoraModulation } from '../../../lib/lora/modulation.js';
import type { NodeDirectory } from '../device/mesh-port.js';
import type { PacketCipher } from '../ota/packet-cipher.js';
import type { RandomSource } from './contention.js';
import type { MeshMetrics } from './mesh-metrics.js';
import type { MeshModule } from './mesh-module.js';
import type { MeshRadio } from './mesh-radio.js';
import type { MeshRoleName, RebroadcastMode } from './role.js';

export interface MeshRouterOptions {
  /** Our node number: `from` of what we originate, the byte in relay_node/next_hop. */
  nodeNum: number;
  role: MeshRoleName;
  /** Default: NodeDB::installRoleDefaults (CORE_PORTNUMS_ONLY for ROUTER, else ALL). */
  rebroadcastMode?: RebroadcastMode;
  cipher: PacketCipher;
  directory: NodeDirectory;
  radio: MeshRadio;
  /** The LoRa modulation in use: slot time and time on air. */
  modulation: LoraModulation;
  clock: TimerClock;
  /** Integer in [0, max); default node:crypto randomInt. */
  random?: RandomSource;
  /** The region's duty cycle (the runtime's airtime ledger): false refuses the transmission (DUTY_CYCLE_LIMIT). */
  mayTransmit?: (airtimeMs: number) => boolean;
  /** config.lora.hop_limit; default 3. */
  hopLimit?: number;
  /** The 16-byte header codec (ota/ota-frame.ts decodeOtaFrame / encodeOtaFrame); decodeFrame throws on a bad frame. */
  decodeFrame: (bytes: Uint8Array) => Mesh.MeshPacket;
  encodeFrame: (packet: Mesh.MeshPacket) => Uint8Array;
  /** Our User as NodeInfo sends it (read at each send, so owner changes apply). */
  owner: () => Mesh.User;
  /** config.device.node_info_broadcast_secs; default 3 h, at least 1 h. */
  nodeInfoBroadcastSecs?: number;
  /** Our fixed position, if any (answers position requests, and is broadcast when `positionConfig` says so). */
  position?: () => Mesh.Position | undefined;
  /** getPositionPrecisionForChannel(index) (PositionPrecision.cpp); none = full precision. */
  positionPrecision?: (channel: number) => number;
  /** config.position as the Position module reads it; with it the module broadcasts our position on its schedule. */
  positionConfig?: () => { fixedPosition: boolean; broadcastSecs: number; flags: number };
  /** config.lora.config_ok_to_mqtt (Data.bitfield bit 0 of what we originate). */
  okToMqtt?: boolean;
  packetId?: () => number;
  metrics?: MeshMetrics;
  historyCapacity?: number;
  /** Unix seconds for rx_time and Telemetry.time; default Date.now. */
  unixSeconds?: () => number;
  /** The node's battery for DeviceMetrics (telemetry-module.ts); none = powered, as a board without a battery. */
  battery?: () => { level: number; volts: number } | undefined;
  /** The node's power monitor channels, answering PowerMetrics requests (telemetry-module.ts). */
  powerMetrics?: () => Telemetry.PowerMetrics | undefined;
  /** More modules, called after the built-in ones and before the routing step. */
  modules?: MeshModule[];
}
