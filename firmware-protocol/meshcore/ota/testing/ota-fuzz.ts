/**
 * Hostile-input driver for every decoder of this folder: random frames and mutated valid packets go through
 * decodePacket and, when they parse, through packetHash, the encode round trip, the cipher and each app-data
 * decoder. Anything thrown that is not MeshCoreMalformedPacketError is a bug and is rethrown with the input.
 * Deterministic (xorshift32 from a seed). Used by ota-fuzz.test.ts (30k inputs) and fuzz-ota-bench.ts (millions).
 */
import { decodePacket, encodePacket, packetHash, MAX_TRANS_UNIT, type McPacket } from '../packet.js';
import { decodeAdvertData } from '../advert-data.js';
import { decodeTextPayload } from '../text-payload.js';
import { macThenDecrypt } from '../cipher.js';
import { matchesRegion, regionKeyFor } from '../transport-code.js';
import { decodeLoginResponse, decodeRepeaterAnonRequest, decodeRoomLoginRequest } from '../login.js';
import { decodeStatusResponse } from '../repeater-stats.js';
import { decodeAccessList, decodeNeighboursRequest, decodeNeighboursResponse, decodeRequest } from '../request-data.js';
import { decodeDiscoverRequest, decodeDiscoverResponse } from '../control-discover.js';
import { decodeLpp } from '../cayenne-lpp.js';
import { decodeAckCode } from '../ack-payload.js';
import { decodeGroupData, decodeGroupText } from '../group-payload.js';
import { decodeAnonReply } from '../anon-replies.js';

export interface OtaFuzzStats {
  inputs: number;
  decoded: number;
  /** decodePacket refusals by MalformedReason. */
  rejected: Record<string, number>;
  /** App-data decoder calls that ended in a typed layout error. */
  layoutErrors: number;
  /** Inputs whose MAC checked out (seeded valid ciphertexts among the mutations). */
  macOk: number;
}

export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const SECRET = new Uint8Array(32).map((_, i) => i * 7 + 1);
const REGION = regionKeyFor('#fuzz');

function isTyped(e: unknown): boolean {
  return e instanceof Error && e.name === 'MeshCoreMalformedPacketError';
}

function fail(where: string, input: Uint8Array, e: unknown): never {
  const err = new Error(`${where} threw ${(e as Error)?.name}: ${(e as Error)?.message} on ${Buffer.from(input).toString('hex')}`);
  (err as Error & { cause?: unknown }).cause = e;
  throw err;
}

/** Runs one app-data decoder; counts a typed refusal, rethrows anything else. */
function tryDecoder(stats: OtaFuzzStats, where: string, input: Uint8Array, f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!isTyped(e)) fail(where, input, e);
    stats.layoutErrors++;
  }
}

function appDecoders(stats: OtaFuzzStats, data: Uint8Array): void {
  decodeAdvertData(data);
  decodeTextPayload(data);
  tryDecoder(stats, 'decodeRepeaterAnonRequest', data, () => decodeRepeaterAnonRequest(data));
  tryDecoder(stats, 'decodeRoomLoginRequest', data, () => decodeRoomLoginRequest(data));
  tryDecoder(stats, 'decodeLoginResponse', data, () => decodeLoginResponse(data));
  tryDecoder(stats, 'decodeStatusResponse', data, () => decodeStatusResponse(data));
  tryDecoder(stats, 'decodeRequest', data, () => decodeRequest(data));
  tryDecoder(stats, 'decodeNeighboursRequest', data, () => decodeNeighboursRequest(data));
  tryDecoder(stats, 'decodeNeighboursResponse', data, () => decodeNeighboursResponse(data, data.length > 0 ? data[0] % 33 : 0));
  tryDecoder(stats, 'decodeAccessList', data, () => decodeAccessList(data));
  tryDecoder(stats, 'decodeDiscoverRequest', data, () => decodeDiscoverRequest(data));
  tryDecoder(stats, 'decodeDiscoverResponse', data, () => decodeDiscoverResponse(data));
  tryDecoder(stats, 'decodeLpp', data, () => decodeLpp(data));
  tryDecoder(stats, 'decodeAckCode', data, () => decodeAckCode(data));
  tryDecoder(stats, 'decodeGroupText', data, () => decodeGroupText(data));
  tryDecoder(stats, 'decodeGroupData', data, () => decodeGroupData(data));
  tryDecoder(stats, 'decodeAnonReply', data, () => decodeAnonReply(data));
}

function samePacket(a: McPacket, b: McPacket): boolean {
  return (
    a.routeType === b.routeType &&
    a.payloadType === b.payloadType &&
    a.version === b.version &&
    a.transportCodes[0] === b.transportCodes[0] &&
    a.transportCodes[1] === b.transportCodes[1] &&
    a.pathHashSize === b.pathHashSize &&
    Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)) === 0 &&
    Buffer.compare(Buffer.from(a.payload), Buffer.from(b.payload)) === 0
  );
}

/**
 * Feeds one frame through everything. `crypto` false skips the hashing helpers (packetHash, matchesRegion,
 * macThenDecrypt): they cost more than all the parsers together, and the unit test runs them on every 4th packet.
 */
export function fuzzOne(stats: OtaFuzzStats, raw: Uint8Array, crypto = true): void {
  stats.inputs++;
  let p: McPacket;
  try {
    p = decodePacket(raw);
  } catch (e) {
    if (!isTyped(e)) fail('decodePacket', raw, e);
    const reason = (e as { reason: string }).reason;
    stats.rejected[reason] = (stats.rejected[reason] ?? 0) + 1;
    appDecoders(stats, raw);
    return;
  }
  stats.decoded++;
  try {
    const again = encodePacket(p);
    // What parses must re-encode to the very same bytes, and parse to the same packet.
    if (Buffer.compare(Buffer.from(again), Buffer.from(raw)) !== 0) fail('encodePacket', raw, new Error(`re-encoded as ${Buffer.from(again).toString('hex')}`));
    if (!samePacket(decodePacket(again), p)) fail('decodePacket(encodePacket)', raw, new Error('round trip differs'));
    if (crypto) {
      packetHash(p);
      matchesRegion(REGION, p);
    }
  } catch (e) {
    fail('packet helpers', raw, e);
  }
  const body = p.payload;
  if (!crypto) {
    appDecoders(stats, body);
    return;
  }
  // Envelopes: channel hash + MAC (GRP_*), dest + src + MAC (REQ/RESPONSE/TXT/PATH), dest + pk + MAC (ANON_REQ).
  const macAt = p.payloadType === 5 || p.payloadType === 6 ? 1 : p.payloadType === 7 ? 33 : 2;
  let plain: Uint8Array | null = null;
  try {
    plain = macThenDecrypt(SECRET, body.subarray(Math.min(macAt, body.length)));
  } catch (e) {
    fail('macThenDecrypt', raw, e);
  }
  if (plain) {
    stats.macOk++;
    appDecoders(stats, plain);
  }
  appDecoders(stats, body);
}

export function newStats(): OtaFuzzStats {
  return { inputs: 0, decoded: 0, rejected: {}, layoutErrors: 0, macOk: 0 };
}

/** Valid seeds the mutator starts from: each route, 1/2/3-byte paths, and payloads that decrypt under SECRET. */
export function seedPackets(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const enc = (plain: number[]) => Array.from(encryptForSeed(Uint8Array.from(plain)));
  const payloads: number[][] = [
    [0x11, ...enc([1, 0, 0, 0, 0, 0x68, 0x69])], // GRP_TXT-like
    [0xaa, 0xbb, ...enc([9, 0, 0, 0, 0x6f, 0x6b])], // login response-like
    [0xaa, 0xbb, ...enc([9, 0, 0, 0, 0x01, 0, 0, 0, 0, 1, 2, 3, 4])], // REQ-like
    [0x80, 0x04, 1, 2, 3, 4, 0, 0, 0, 0], // discover request
    [0x92, 0xdc, 1, 2, 3, 4, ...new Array(32).fill(7)], // discover response
    [1, 0x74, 1, 0x9a, 1, 0x67, 0xff, 0x83], // LPP
    new Array(184).fill(0x5a),
    [1],
  ];
  for (const pl of payloads) {
    for (const [header, codes] of [[0x15, []], [0x14, [0xfa, 0x1a, 0, 0]], [0x0a, []], [0x2f, [1, 2, 3, 4]]] as [number, number[]][]) {
      for (const pathLen of [0x00, 0x03, 0x42, 0x81, 0x3f, 0x60]) {
        const bytes = ((pathLen & 63) * ((pathLen >> 6) + 1));
        const frame = [header, ...codes, pathLen, ...new Array(bytes).fill(0x21), ...pl];
        if (frame.length <= MAX_TRANS_UNIT) out.push(Uint8Array.from(frame));
      }
    }
  }
  return out;
}

import { encryptThenMac } from '../cipher.js';
function encryptForSeed(plain: Uint8Array): Uint8Array {
  return encryptThenMac(SECRET, plain);
}

/** Random frames (length 0..260) and mutations of the seeds (bit flips, byte sets, cuts, growth). */
export function runOtaFuzz(count: number, seed = 1, cryptoEvery = 1): OtaFuzzStats {
  // Millions of refusals: their stack traces are the cost, not the decoding (names are all we check here).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return runWith(count, seed, cryptoEvery);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

function runWith(count: number, seed: number, cryptoEvery: number): OtaFuzzStats {
  const rnd = xorshift32(seed);
  const seeds = seedPackets();
  const stats = newStats();
  const boundary = [0x00, 0x01, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xc0, 0xfe, 0xff];
  for (let n = 0; n < count; n++) {
    let frame: Uint8Array;
    const mode = rnd() % 8;
    if (mode === 0) {
      frame = new Uint8Array(rnd() % 261);
      for (let i = 0; i < frame.length; i++) frame[i] = rnd() & 0xff;
    } else {
      const s = seeds[rnd() % seeds.length];
      if (mode === 1) frame = s.slice(0, rnd() % (s.length + 1));
      else if (mode === 2) {
        frame = new Uint8Array(s.length + 1 + (rnd() % 80));
        frame.set(s);
        for (let i = s.length; i < frame.length; i++) frame[i] = rnd() & 0xff;
      } else {
        frame = s.slice();
        const k = 1 + (rnd() % 3);
        for (let j = 0; j < k && frame.length > 0; j++) {
          const at = mode === 3 ? rnd() % Math.min(frame.length, 8) : rnd() % frame.length; // mode 3 hits the header
          if (rnd() & 1) frame[at] ^= 1 << (rnd() % 8);
          else frame[at] = boundary[rnd() % boundary.length];
        }
      }
    }
    fuzzOne(stats, frame, n % cryptoEvery === 0);
  }
  return stats;
}
