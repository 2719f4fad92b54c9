/**
 * The MeshCore mesh as applications use it: firmware src/Mesh.{h,cpp} on src/Dispatcher.cpp (the packet factories,
 * sendFlood / sendDirect / sendZeroHop, the TX queue with priorities and delays, the airtime budget, the counters),
 * with src/helpers/SimpleMeshTables as the dedupe table. Built by ./create-mesh.ts on a PacketRadio
 * (lib/lora/packet-radio.ts) with one MeshHandler (./mesh-handler.ts). Packets are McPacket (../ota/packet.ts).
 */
import type { Clock } from '../../../lib/clock/clock.js';
import type { LoraModulation } from '../../../lib/lora/modulation.js';
import type { PacketRadio } from '../../../lib/lora/packet-radio.js';
import type { LocalIdentity } from '../ota/identity.js';
import type { McPacket, PathHashSize } from '../ota/packet.js';
import type { GroupChannelKey, McPath, MeshHandler } from './mesh-handler.js';

/** What ./create-mesh.ts `createMesh(options)` takes. */
export interface MeshOptions {
  radio: PacketRadio;
  identity: LocalIdentity;
  /** The radio's modulation, for Radio::getEstAirtimeFor (lib/lora/time-on-air). */
  modulation: LoraModulation;
  /** Milliseconds (MillisecondClock) and timers; inject a virtual clock in tests (lib/testing). */
  clock: Clock;
  /** The RTC in epoch seconds (RTCClock::getCurrentTime); default clock.now() / 1000. */
  rtcSeconds?: () => number;
  /** RNG in [0, 1) (delays, random ACK bytes); default Math.random. */
  random?: () => number;
  /** The application; may be set later with setHandler (the apps need the mesh to be built first). */
  handler?: MeshHandler;
}

export interface MeshCounters {
  /** Dispatcher n_sent_flood / n_sent_direct / n_recv_flood / n_recv_direct. */
  sentFlood: number;
  sentDirect: number;
  recvFlood: number;
  recvDirect: number;
  /** Packets forwarded (a subset of sent). */
  forwarded: number;
  /** SimpleMeshTables duplicate counts (repeater status direct_dups / flood_dups). */
  floodDups: number;
  directDups: number;
  /** Frames that failed to parse (status recv_errors), total and by reason. */
  recvErrors: number;
  dropped: Record<string, number>;
  /** Dispatcher total_air_time / rx_air_time, ms. */
  txAirMs: number;
  rxAirMs: number;
}

export interface FloodOptions {
  delayMs?: number;
  /** [code0, code1] of a region scope: the packet goes as TRANSPORT_FLOOD. */
  transportCodes?: [number, number];
  pathHashSize?: PathHashSize;
}

export interface MeshCoreMesh {
  readonly self: LocalIdentity;
  /** The application the mesh calls (replaces the previous one). */
  setHandler(handler: MeshHandler): void;
  /** RTCClock::getCurrentTime, epoch seconds (getCurrentTimeUnique where the firmware uses it is the app's job). */
  rtcSeconds(): number;
  /** Mesh::createAdvert: ADVERT signed by us, timestamp from the RTC (seconds). */
  createAdvert(appData: Uint8Array): McPacket;
  /** Mesh::createDatagram: TXT_MSG / REQ / RESPONSE to `dest`, encrypted with `secret`. */
  createDatagram(type: number, destPublicKey: Uint8Array, secret: Uint8Array, data: Uint8Array): McPacket;
  /** Mesh::createAnonDatagram: ANON_REQ carrying our public key. */
  createAnonDatagram(type: number, destPublicKey: Uint8Array, secret: Uint8Array, data: Uint8Array): McPacket;
  /** Mesh::createGroupDatagram: GRP_TXT / GRP_DATA on a channel. */
  createGroupDatagram(type: number, channel: GroupChannelKey, data: Uint8Array): McPacket;
  /** Mesh::createAck (4 bytes, or the 6-byte v1.17 form when given 6). */
  createAck(ack: number | Uint8Array): McPacket;
  /** Mesh::createMultiAck. */
  createMultiAck(ack: number, remaining: number): McPacket;
  /** Mesh::createPathReturn: PATH to `dest` with our in-path and an extra (ACK or RESPONSE). */
  createPathReturn(destPublicKeyOrHash: Uint8Array, secret: Uint8Array, path: McPath, extraType: number, extra: Uint8Array): McPacket;
  createRawData(data: Uint8Array): McPacket;
  createTrace(tag: number, authCode: number, flags: number): McPacket;
  createControlData(data: Uint8Array): McPacket;
  /** Mesh::sendFlood: our hash is not added (the path starts empty); marked seen so its echoes are dropped. */
  sendFlood(packet: McPacket, options?: FloodOptions): void;
  /** Mesh::sendDirect along `path` (the hops to go); an empty path = zero-hop. */
  sendDirect(packet: McPacket, path: McPath, delayMs?: number): void;
  /** Mesh::sendZeroHop (neighbours only). */
  sendZeroHop(packet: McPacket, options?: { delayMs?: number; transportCodes?: [number, number] }): void;
  /** Dispatcher::sendPacket for a complete packet we did not build (CMD_SEND_RAW_PACKET). */
  sendRaw(packet: McPacket, priority: number, delayMs?: number): void;
  /** Radio::getEstAirtimeFor, ms, for a frame of `length` bytes with the radio's modulation. */
  airtimeMs(length: number): number;
  /** Packets waiting in the TX queue (repeater status tx_queue, companion stats queue_len). */
  queueLength(): number;
  /** Dispatcher::getRemainingTxBudget, ms. */
  remainingTxBudgetMs(): number;
  readonly counters: Readonly<MeshCounters>;
  /** Dispatcher::resetStats. */
  resetStats(): void;
  /** Last received SNR (dB) and RSSI (dBm), for stats. */
  lastSignal(): { snrDb: number; rssiDbm: number } | undefined;
  /** Starts receiving and the TX loop; stop() ends both and drops the queue (nothing is persisted by the mesh). */
  start(): void;
  stop(): Promise<void>;
}
