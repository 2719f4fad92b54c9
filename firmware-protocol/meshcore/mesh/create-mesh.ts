/**
 * createMesh: the MeshCore Dispatcher + Mesh (src/Dispatcher.cpp, src/Mesh.cpp) on a PacketRadio, with
 * SimpleMeshTables (./mesh-tables.ts), the StaticPoolPacketManager queue (./tx-queue.ts) and the airtime budget
 * (./tx-budget.ts). Receive: every frame is logged to the app, parsed (failures counted by reason), then decided by
 * ./recv-packet.ts; what it says to retransmit is queued. Send: one frame at a time, lowest priority number first
 * among those due, after the budget allows it and the channel is free (RadioLibWrapper::isReceiving, retried
 * every 120–360 ms and forced after 4 s as Dispatcher::checkSend). Every wait is a timer on the injected clock.
 */
import { timersOf, type CancelTimer } from '../../../lib/clock/timer-clock.js';
import type { PacketRadioFrame } from '../../../lib/lora/packet-radio.js';
import { MeshCoreMalformedPacketError } from '../ota/errors.js';
import {
  MAX_PACKET_PAYLOAD,
  MAX_PATH_SIZE,
  MAX_TRANS_UNIT,
  PAYLOAD_TYPE,
  ROUTE_TYPE,
  decodePacket,
  isFlood,
  rawLength,
  type McPacket,
  type PathHashSize,
} from '../ota/packet.js';
import { MeshCoreSendRefusedError } from './errors.js';
import type { FloodOptions, MeshCoreMesh, MeshCounters, MeshOptions } from './mesh-api.js';
import type { McPath, MeshHandler, ReceivedPacket } from './mesh-handler.js';
import { MeshTables } from './mesh-tables.js';
import { MAX_RX_DELAY_MS, MIN_RX_DELAY_MS, defaultFloodDelayMs, estAirtimeMs, packetScore } from './mesh-timing.js';
import * as factories from './packet-factories.js';
import { onRecvPacket, type DropReason, type RecvContext } from './recv-packet.js';
import { TxBudget } from './tx-budget.js';
import { TxLoop } from './tx-loop.js';
import { TxQueue } from './tx-queue.js';

/** StaticPoolPacketManager(32) of simple_repeater (the companion uses 16): the most packets waiting to go. */
export const TX_QUEUE_CAPACITY = 32;
/** Dispatcher::getAirtimeBudgetFactor default (duty 50 %). */
export const DEFAULT_AIRTIME_BUDGET_FACTOR = 1.0;
/** Largest delay an action carries (ACTION_RETRANSMIT_DELAYED keeps it in 24 bits). */
const MAX_ACTION_DELAY_MS = 0xffffff;

function freshCounters(): MeshCounters {
  return { sentFlood: 0, sentDirect: 0, recvFlood: 0, recvDirect: 0, forwarded: 0, floodDups: 0, directDups: 0, recvErrors: 0, dropped: {}, txAirMs: 0, rxAirMs: 0 };
}

function sanitizeDelay(ms: number | undefined): number {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return 0;
  return Math.min(MAX_ACTION_DELAY_MS, Math.floor(ms));
}

/** Dispatcher::sendPacket's check (Packet::isValidPathLen, payload ≤ 184) plus what Packet::writeTo needs. */
function invalidReason(p: McPacket): string | undefined {
  if (p.path.length % p.pathHashSize !== 0) return `path of ${p.path.length} bytes is not a whole number of ${p.pathHashSize}-byte hashes`;
  if (p.path.length > MAX_PATH_SIZE) return `path of ${p.path.length} bytes > ${MAX_PATH_SIZE}`;
  if (p.path.length / p.pathHashSize > 63) return `${p.path.length / p.pathHashSize} hops > 63`;
  if (p.payload.length === 0) return 'empty payload';
  if (p.payload.length > MAX_PACKET_PAYLOAD) return `payload of ${p.payload.length} bytes > ${MAX_PACKET_PAYLOAD}`;
  if (rawLength(p) > MAX_TRANS_UNIT) return `${rawLength(p)} bytes on air > ${MAX_TRANS_UNIT}`;
  return undefined;
}

export function createMesh(options: MeshOptions): MeshCoreMesh {
  const { radio, identity, modulation, clock } = options;
  const timers = timersOf(clock);
  const random = options.random ?? Math.random;
  const rtcSeconds = options.rtcSeconds ?? (() => Math.floor(clock.now() / 1000));
  let handler: MeshHandler = options.handler ?? {};
  const tables = new MeshTables();
  const queue = new TxQueue(TX_QUEUE_CAPACITY);
  let counters = freshCounters();
  const budget = new TxBudget(() => handler.airtimeBudgetFactor?.() ?? DEFAULT_AIRTIME_BUDGET_FACTOR, clock.now());
  const airtimeMs = (length: number): number => estAirtimeMs(modulation, length);
  const factoryCtx: factories.FactoryContext = { identity, rtcSeconds, random };
  let last: { snrDb: number; rssiDbm: number } | undefined;
  let unsubscribe: (() => void) | undefined;
  let started = false;
  let stopped = false;

  const drop = (reason: string): void => {
    counters.dropped[reason] = (counters.dropped[reason] ?? 0) + 1;
  };

  const call = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch {
      drop('handler-error' satisfies DropReason);
      return undefined;
    }
  };

  // ---- TX queue and loop (Dispatcher::checkSend) ----
  const tx = new TxLoop({
    radio,
    timers,
    queue,
    budget,
    airtimeMs,
    random,
    drop: (reason) => drop(reason),
    onSent(entry, air) {
      counters.txAirMs += air;
      if (isFlood(entry.packet)) counters.sentFlood++;
      else counters.sentDirect++;
      if (entry.forwarded) counters.forwarded++;
    },
  });
  /** Floods held by their score delay (Dispatcher's inbound queue). */
  const inbound = new Set<{ cancel: CancelTimer }>();

  function enqueue(packet: McPacket, priority: number, delayMs: number, forwarded: boolean): boolean {
    if (invalidReason(packet) !== undefined) {
      drop('tx-invalid' satisfies DropReason);
      return false;
    }
    if (!queue.add({ packet, priority, scheduledFor: clock.now() + sanitizeDelay(delayMs), forwarded })) {
      drop('tx-queue-full' satisfies DropReason);
      return false;
    }
    tx.kick();
    return true;
  }

  // ---- receive (Dispatcher::checkRecv + Mesh::onRecvPacket) ----
  const recvCtx: RecvContext = {
    identity,
    tables,
    get handler() {
      return handler;
    },
    drop(reason, rx) {
      drop(reason);
      // A payload that does not fit its type's layout is malformed too (MeshHandler.onMalformed).
      if (reason === 'payload-layout') call(() => handler.onMalformed?.(rx.raw, reason));
    },
    call: (_rx, fn) => call(fn),
    floodDelayMs(p) {
      const air = airtimeMs(2 + p.path.length + p.payload.length);
      const custom = handler.retransmitDelayMs;
      return sanitizeDelay(custom ? call(() => custom.call(handler, p, air)) : defaultFloodDelayMs(airtimeMs(rawLength(p)), random));
    },
    directDelayMs(p) {
      const custom = handler.directRetransmitDelayMs;
      if (!custom) return 0;
      const air = airtimeMs(2 + p.path.length + p.payload.length);
      return sanitizeDelay(call(() => custom.call(handler, p, air)));
    },
    sendReciprocalPath(destHash, secret, inPath, outPath) {
      try {
        mesh.sendDirect(factories.createPathReturn(factoryCtx, Uint8Array.of(destHash), secret, inPath, 0, new Uint8Array(0)), outPath, 500);
      } catch {
        drop('tx-invalid' satisfies DropReason);
      }
    },
    sendPacket: (p, priority, delayMs) => {
      enqueue(p, priority, delayMs, true);
    },
  };

  function onFrame(frame: PacketRadioFrame): void {
    if (stopped) return;
    const raw = frame.bytes;
    last = { snrDb: frame.snrDb, rssiDbm: frame.rssiDbm };
    call(() => handler.logRxRaw?.(raw, frame.snrDb, frame.rssiDbm));
    let packet: McPacket;
    try {
      packet = decodePacket(raw);
    } catch (err) {
      const reason = err instanceof MeshCoreMalformedPacketError ? err.reason : 'undecodable';
      counters.recvErrors++;
      drop(reason);
      call(() => handler.onMalformed?.(raw, reason));
      return;
    }
    const air = airtimeMs(raw.length);
    counters.rxAirMs += air;
    const rx: ReceivedPacket = { packet, raw, snrDb: frame.snrDb, rssiDbm: frame.rssiDbm, receivedAt: clock.now() };
    if (!isFlood(packet)) {
      counters.recvDirect++;
      processRecv(rx);
      return;
    }
    counters.recvFlood++;
    const rxDelay = handler.rxDelayMs;
    let delay = rxDelay ? (call(() => rxDelay.call(handler, packetScore(frame.snrDb, modulation.spreadingFactor, raw.length), air)) ?? 0) : 0;
    if (!(delay >= MIN_RX_DELAY_MS)) {
      processRecv(rx);
      return;
    }
    // Dispatcher::checkRecv: a weak flood waits (StaticPoolPacketManager::queueInbound), so that a better copy
    // heard meanwhile is the one processed and the weak one is a duplicate.
    delay = Math.min(MAX_RX_DELAY_MS, Math.floor(delay));
    if (inbound.size >= TX_QUEUE_CAPACITY) {
      drop('rx-queue-full' satisfies DropReason);
      return;
    }
    const entry = { cancel: (() => undefined) as CancelTimer };
    inbound.add(entry);
    entry.cancel = timers.setTimer(delay, () => {
      inbound.delete(entry);
      if (!stopped) processRecv(rx);
    }, { name: 'meshcore-rx-delay' });
  }

  function processRecv(rx: ReceivedPacket): void {
    let action;
    try {
      action = onRecvPacket(recvCtx, rx);
    } catch {
      drop('handler-error' satisfies DropReason);
      return;
    }
    if (action) enqueue(action.packet, action.priority, action.delayMs, true);
  }

  // ---- send calls (Mesh::sendFlood / sendDirect / sendZeroHop, Dispatcher::sendPacket) ----
  function submit(p: McPacket, priority: number, delayMs: number | undefined): void {
    const bad = invalidReason(p);
    if (bad !== undefined) {
      drop('tx-invalid' satisfies DropReason);
      throw new MeshCoreSendRefusedError('invalid-packet', bad);
    }
    tables.markSeen(p); // so that its echoes from our neighbours are dropped
    enqueue(p, priority, delayMs ?? 0, false);
  }

  const mesh: MeshCoreMesh = {
    self: identity,
    setHandler(h) {
      handler = h;
    },
    rtcSeconds,
    createAdvert: (appData) => factories.createAdvert(factoryCtx, appData),
    createDatagram: (type, dest, secret, data) => factories.createDatagram(factoryCtx, type, dest, secret, data),
    createAnonDatagram: (type, dest, secret, data) => factories.createAnonDatagram(factoryCtx, type, dest, secret, data),
    createGroupDatagram: (type, channel, data) => factories.createGroupDatagram(type, channel, data),
    createAck: (ack) => factories.createAck(ack),
    createMultiAck: (ack, remaining) => factories.createMultiAck(ack, remaining),
    createPathReturn: (dest, secret, path, extraType, extra) => factories.createPathReturn(factoryCtx, dest, secret, path, extraType, extra),
    createRawData: (data) => factories.createRawData(data),
    createTrace: (tag, authCode, flags) => factories.createTrace(tag, authCode, flags),
    createControlData: (data) => factories.createControlData(data),

    sendFlood(packet, opts: FloodOptions = {}) {
      if (packet.payloadType === PAYLOAD_TYPE.TRACE) throw new MeshCoreSendRefusedError('trace-flood', 'TRACE goes direct only');
      const size = opts.pathHashSize ?? 1;
      if (size !== 1 && size !== 2 && size !== 3) throw new MeshCoreSendRefusedError('path-hash-size', `path hash size ${String(size)}`);
      const tc = opts.transportCodes;
      const p: McPacket = {
        ...packet,
        routeType: tc ? ROUTE_TYPE.TRANSPORT_FLOOD : ROUTE_TYPE.FLOOD,
        transportCodes: tc ? [tc[0] & 0xffff, tc[1] & 0xffff] : [0, 0],
        pathHashSize: size as PathHashSize,
        path: new Uint8Array(0),
      };
      const pri = packet.payloadType === PAYLOAD_TYPE.PATH ? 2 : packet.payloadType === PAYLOAD_TYPE.ADVERT ? 3 : 1;
      submit(p, pri, opts.delayMs);
    },

    sendDirect(packet, path: McPath, delayMs) {
      let p: McPacket;
      let pri: number;
      if (packet.payloadType === PAYLOAD_TYPE.TRACE) {
        // The hops to visit go at the end of the payload; the path collects SNRs.
        const payload = new Uint8Array(packet.payload.length + path.bytes.length);
        payload.set(packet.payload);
        payload.set(path.bytes, packet.payload.length);
        p = { ...packet, routeType: ROUTE_TYPE.DIRECT, transportCodes: [0, 0], pathHashSize: 1, path: new Uint8Array(0), payload };
        pri = 5;
      } else {
        p = { ...packet, routeType: ROUTE_TYPE.DIRECT, transportCodes: [0, 0], pathHashSize: path.hashSize, path: path.bytes.slice() };
        pri = packet.payloadType === PAYLOAD_TYPE.PATH ? 1 : 0;
      }
      submit(p, pri, delayMs);
    },

    sendZeroHop(packet, opts = {}) {
      const tc = opts.transportCodes;
      const p: McPacket = {
        ...packet,
        routeType: tc ? ROUTE_TYPE.TRANSPORT_DIRECT : ROUTE_TYPE.DIRECT,
        transportCodes: tc ? [tc[0] & 0xffff, tc[1] & 0xffff] : [0, 0],
        pathHashSize: 1,
        path: new Uint8Array(0),
      };
      submit(p, 0, opts.delayMs);
    },

    sendRaw(packet, priority, delayMs) {
      const bad = invalidReason(packet);
      if (bad !== undefined) {
        drop('tx-invalid' satisfies DropReason);
        throw new MeshCoreSendRefusedError('invalid-packet', bad);
      }
      enqueue({ ...packet, path: packet.path.slice(), payload: packet.payload.slice() }, Math.max(0, Math.floor(priority)), delayMs ?? 0, false);
    },

    airtimeMs,
    queueLength: () => queue.length,
    remainingTxBudgetMs() {
      budget.update(clock.now());
      return budget.remainingMs;
    },
    get counters() {
      counters.floodDups = tables.floodDups;
      counters.directDups = tables.directDups;
      return counters;
    },
    resetStats() {
      const { txAirMs, rxAirMs } = counters;
      counters = { ...freshCounters(), txAirMs, rxAirMs };
      tables.resetStats();
    },
    lastSignal: () => (last ? { ...last } : undefined),

    start() {
      if (started) return;
      started = true;
      stopped = false;
      unsubscribe = radio.onReceive(onFrame);
      tx.start();
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      unsubscribe = undefined;
      queue.clear();
      for (const e of inbound) e.cancel();
      inbound.clear();
      await tx.stop();
      started = false;
    },
  };
  return mesh;
}
