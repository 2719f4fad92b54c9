/**
 * A repeater on a FakeMesh with a ManualClock, an RTC on it, a memory store and a client identity, plus helpers
 * that hand the repeater's handler what the mesh would (a decrypted ANON_REQ, REQ or TXT_MSG from the client).
 */
import { ManualClock } from '../../../../lib/testing/manual-clock.js';
import type { PeerMatch } from '../../mesh/mesh-handler.js';
import { identityFromSeed, type LocalIdentity } from '../../ota/identity.js';
import { CIPHER_BLOCK_SIZE, PAYLOAD_TYPE, ROUTE_TYPE, type McPacket, type RouteType } from '../../ota/packet.js';
import { createRepeater, type Repeater, type RepeaterHooks, type RepeaterOptions } from '../repeater.js';
import { MemoryRepeaterStore, type RepeaterStore } from '../repeater-store.js';
import { createRtcClock, type RtcClock } from '../rtc-clock.js';
import { FakeMesh, packetOf, received } from './fake-mesh.js';

export const T0_MS = 1_760_000_000_000; // 2025-10-09

export function seed(n: number): Uint8Array {
  return new Uint8Array(32).fill(n);
}

export interface Fixture {
  clock: ManualClock;
  rtc: RtcClock;
  mesh: FakeMesh;
  store: RepeaterStore;
  repeater: Repeater;
  self: LocalIdentity;
  client: LocalIdentity;
  /** The secret the repeater shares with the client. */
  secret: Uint8Array;
  hookCalls: string[];
}

export function makeRepeater(
  options: Partial<Omit<RepeaterOptions, 'mesh' | 'clock' | 'rtc'>> & { store?: RepeaterStore; clock?: ManualClock } = {},
): Fixture {
  const clock = options.clock ?? new ManualClock(T0_MS);
  const rtc = createRtcClock(clock);
  const self = identityFromSeed(seed(1));
  const client = identityFromSeed(seed(2));
  const mesh = new FakeMesh(self, () => rtc.getCurrentTime());
  const store = options.store ?? new MemoryRepeaterStore();
  const hookCalls: string[] = [];
  const hooks: RepeaterHooks = {
    reboot: () => hookCalls.push('reboot'),
    powerOff: () => hookCalls.push('powerOff'),
    setTxPower: (dbm) => hookCalls.push(`tx ${dbm}`),
    applyTempRadioParams: (f, bw, sf, cr, m) => hookCalls.push(`tempradio ${f} ${bw} ${sf} ${cr} ${m}`),
    ...options.hooks,
  };
  const repeater = createRepeater({ random: () => 0.5, ...options, mesh, clock, rtc, store, hooks });
  return { clock, rtc, mesh, store, repeater, self, client, secret: self.sharedSecret(client.publicKey), hookCalls };
}

/** Plaintext as the mesh hands it over: zero-padded to whole cipher blocks. */
export function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.max(1, Math.ceil(data.length / CIPHER_BLOCK_SIZE)) * CIPHER_BLOCK_SIZE);
  out.set(data);
  return out;
}

export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

export function bytes(...parts: (Uint8Array | number[] | string)[]): Uint8Array {
  const arrs = parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrs.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrs) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

export function incoming(payloadType: number, routeType: RouteType = ROUTE_TYPE.FLOOD, path: number[] = [0x11, 0x22]): McPacket {
  return packetOf({ payloadType, routeType, path: Uint8Array.from(path) });
}

/** An ANON_REQ login (or sub-request) from the fixture's client. */
export function anon(f: Fixture, data: Uint8Array, routeType: RouteType = ROUTE_TYPE.FLOOD, path?: number[]): void {
  const p = incoming(PAYLOAD_TYPE.ANON_REQ, routeType, path);
  f.repeater.handler.onAnonDataRecv?.(received(p), f.secret, f.client.publicKey, padded(data));
}

/** The PeerMatch the repeater gives for the client (undefined when it is not in the ACL). */
export function peer(f: Fixture): PeerMatch | undefined {
  return f.repeater.handler.searchPeersByHash?.(f.client.publicKey[0]).find((m) => m.publicKey.every((b, i) => b === f.client.publicKey[i]));
}

/** A REQ / TXT_MSG from the client, decrypted. */
export function fromClient(f: Fixture, type: number, data: Uint8Array, routeType: RouteType = ROUTE_TYPE.FLOOD, path?: number[]): void {
  const m = peer(f);
  if (!m) throw new Error('client is not in the ACL');
  f.repeater.handler.onPeerDataRecv?.(received(incoming(type, routeType, path)), type, m, padded(data));
}

/** Logs the client in as admin (flooded) and clears the recordings. */
export function loginAdmin(f: Fixture, ts = 1000): void {
  anon(f, bytes(u32(ts), 'password'));
  f.mesh.sent.length = 0;
  f.mesh.created.length = 0;
}

/** A CLI command over the air; returns the reply text ('' when none was created). */
export function cliOverAir(f: Fixture, ts: number, text: string, txtType = 1): string {
  const before = f.mesh.created.length;
  fromClient(f, PAYLOAD_TYPE.TXT_MSG, bytes(u32(ts), [txtType << 2], text));
  const reply = f.mesh.created.slice(before).find((c) => c.op === 'datagram' && c.type === PAYLOAD_TYPE.TXT_MSG);
  return reply?.data ? new TextDecoder().decode(reply.data.subarray(5)) : '';
}
