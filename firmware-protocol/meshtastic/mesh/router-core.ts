/**
 * The state the parts of a MeshRouter share. The firmware's routing is one object (the class chain Router →
 * FloodingRouter → NextHopRouter → ReliableRouter, with RadioLibInterface below it), and its steps call each other in
 * both directions: receiving a packet may rebroadcast it, ACK it and stop a retransmission; a retransmission floods;
 * a refused send NAKs. Here each step lives in its own file (receive-path, receive-filter, sniff-received,
 * local-send, rebroadcast, radio-send, reliable-delivery) and reaches the others through this core, which MeshRouter
 * builds and wires once.
 */
import { toBinary } from '@bufbuild/protobuf';
import { Mesh } from '@meshtastic/protobufs';
import { timeOnAirMs } from '../../../lib/lora/time-on-air.js';
import type { AirtimeStats } from './airtime-stats.js';
import type { GatewayTap } from './gateway-tap.js';
import type { RandomSource } from './contention.js';
import type { MeshMetrics } from './mesh-metrics.js';
import type { MeshModule } from './mesh-module.js';
import type { MeshRouterOptions } from './mesh-router-options.js';
import type { LocalSend } from './local-send.js';
import type { NodeInfoModule } from './modules/node-info-module.js';
import type { TextMessageModule } from './modules/text-message-module.js';
import type { NextHopTable } from './next-hop-table.js';
import type { OnlineNodes } from './online-nodes.js';
import type { PacketHistory } from './packet-history.js';
import type { RadioSend } from './radio-send.js';
import type { Rebroadcast } from './rebroadcast.js';
import type { ReceiveFilter } from './receive-filter.js';
import type { ReceivePath } from './receive-path.js';
import type { ReliableDelivery } from './reliable-delivery.js';
import type { Retransmissions } from './retransmissions.js';
import type { MeshRole, RebroadcastMode } from './role.js';
import type { TxScheduler } from './tx-scheduler.js';

/** Where a packet handed to handleReceived came from (Router.h RxSource). */
export type RxSource = 'radio' | 'local' | 'user';

/** The firmware's counters shown in LocalStats (RadioLibInterface rxGood/rxBad/txGood/txRelay…, Router rxDupe). */
export interface RouterCounters {
  tx: number;
  rx: number;
  rxBad: number;
  rxDupe: number;
  txRelay: number;
  txRelayCanceled: number;
}

export const LORA = Mesh.MeshPacket_TransportMechanism.TRANSPORT_LORA;
export const MQTT = Mesh.MeshPacket_TransportMechanism.TRANSPORT_MQTT;

export interface RouterCore {
  readonly o: MeshRouterOptions;
  readonly nodeNum: number;
  /** Our byte in relay_node / next_hop (NodeDB::getLastByteOfNodeNum). */
  readonly ourRelayId: number;
  readonly role: MeshRole;
  readonly rebroadcastMode: RebroadcastMode;
  /** The configured hop limit (Default::getConfiguredOrDefaultHopLimit). */
  readonly hopLimit: number;
  readonly slotMs: number;
  readonly random: RandomSource;
  readonly newId: () => number;
  readonly unixSeconds: () => number;
  readonly metrics: MeshMetrics;
  readonly stats: RouterCounters;
  readonly airtime: AirtimeStats;
  readonly history: PacketHistory;
  readonly nextHops: NextHopTable;
  readonly pending: Retransmissions;
  readonly scheduler: TxScheduler;
  readonly modules: MeshModule[];
  readonly nodeInfo: NodeInfoModule;
  readonly text: TextMessageModule;
  readonly online: OnlineNodes;
  /** MQTT gateways' view of what is handled as received and what we originate (gateway-tap.ts). */
  readonly tap: GatewayTap;
  /** True between start() and stop() (timers are armed only then). */
  running(): boolean;
  // the parts, wired by MeshRouter
  readonly receive: ReceivePath;
  readonly filter: ReceiveFilter;
  readonly local: LocalSend;
  readonly relay: Rebroadcast;
  readonly radio: RadioSend;
  readonly reliable: ReliableDelivery;
}

/** Time on air of a frame of `bytes` bytes with our modulation (RadioLibInterface::getPacketTime). */
export function packetTimeMs(c: RouterCore, bytes: number): number {
  return Math.ceil(timeOnAirMs(c.o.modulation, bytes));
}

/** Encoded size of a Data message (pb_encode_to_bytes). */
export function dataLength(d: Mesh.Data): number {
  return toBinary(Mesh.DataSchema, d).length;
}
