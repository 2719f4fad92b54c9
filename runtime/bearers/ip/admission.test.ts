/** Admission to the peer table (admission.ts) and its token buckets, on a table of hand-made entries. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Advert } from './advert.js';
import { Admission, DEFAULT_ADMISSION, type AdmissionLimits } from './admission.js';
import { PeerTable, type IpPeer } from './peer-table.js';
import { TokenBuckets } from './token-buckets.js';

let n = 0;
/** An entry as discovery.ts makes it: learned at `now`, bound to host:port (`bound` false: gossiped, unbound). */
function add(table: PeerTable, host: string, port: number, now: number, bound = true): IpPeer {
  const id = (n++).toString(16).padStart(64, '0');
  const advert = { nodeIdHex: id, nodeId: new Uint8Array(32), issuedAt: now, udpPort: port, tcpPort: port, addresses: [host] } as unknown as Advert;
  const p = table.upsert(advert, now);
  if (bound) table.bind(p, host);
  return p;
}

function setup(limits: Partial<AdmissionLimits> = {}) {
  const table = new PeerTable();
  const adm = new Admission(table, { ...DEFAULT_ADMISSION, ...limits });
  /** What discovery does with a newcomer that passed ask(). */
  const join = (host: string, port: number, now: number) => {
    const refusal = adm.ask({ host, port }, now);
    if (refusal) return refusal;
    for (const v of adm.admit({ host, port }, now)) table.remove(v);
    return add(table, host, port, now);
  };
  return { table, adm, join };
}

test('token buckets: a burst, then one per period; the key map is bounded', () => {
  const b = new TokenBuckets({ burst: 3, refillMs: 100, maxKeys: 2 });
  assert.ok(b.take('a', 0) && b.take('a', 0) && b.take('a', 0));
  assert.not.ok(b.peek('a', 0));
  assert.not.ok(b.take('a', 99));
  assert.ok(b.take('a', 150));
  b.take('b', 0);
  b.take('c', 0);
  assert.is(b.size, 2, 'the least recently used key went');
  assert.ok(b.peek('a', 150), 'a forgotten key starts full again');
  assert.throws(() => new TokenBuckets({ burst: 0, refillMs: 1, maxKeys: 1 }), RangeError);
});

test('newcomers from one address: a burst, then rate-limited; at most maxPerAddress bound there', () => {
  const { join, adm } = setup({ newPerAddress: 4, refillMs: 1000, maxPerAddress: 6 });
  for (let i = 0; i < 4; i++) assert.type(join('10.0.0.1', 9000 + i, 0), 'object');
  assert.is(join('10.0.0.1', 9100, 0), 'rate-limited');
  assert.type(join('10.0.0.2', 9000, 0), 'object', 'another address has its own budget');
  assert.type(join('10.0.0.1', 9101, 1000), 'object', 'one more after a refill period');
  assert.type(join('10.0.0.1', 9102, 2000), 'object');
  assert.is(join('10.0.0.1', 9103, 3000), 'address-full');
  // Gossip is charged to the gossiping relay, not to its own HELLOs.
  assert.is(adm.ask({ host: '10.0.0.1' }, 3000), undefined);
});

test('unproven cap: a newcomer pushes out the oldest entry that is not answering, never one that is', () => {
  const { join, table } = setup({ maxUnproven: 3, newPerAddress: 100 });
  const a = join('10.0.0.1', 1, 0) as IpPeer;
  const b = join('10.0.0.2', 1, 10) as IpPeer;
  const c = join('10.0.0.3', 1, 20) as IpPeer;
  a.online = true; // answering: keeps its slot while it proves itself
  const d = join('10.0.0.4', 1, 30) as IpPeer;
  assert.ok(table.get(a.nodeIdHex) && table.get(c.nodeIdHex) && table.get(d.nodeIdHex));
  assert.not.ok(table.get(b.nodeIdHex), 'the oldest silent one went');
  c.online = true;
  d.online = true;
  assert.is(join('10.0.0.5', 1, 40), 'peer-table-full', 'everyone unproven is answering');
});

test('proven: answers in three distinct heartbeats, or one TCP handshake; proven entries keep their slots', () => {
  const { join, adm, table } = setup({ maxUnproven: 1, maxPeers: 3, newPerAddress: 100 });
  const p = join('10.0.0.1', 1, 0) as IpPeer;
  assert.not.ok(adm.answered(p, 1));
  assert.not.ok(adm.answered(p, 1), 'the same heartbeat counts once');
  assert.not.ok(adm.answered(p, 2));
  assert.ok(adm.answered(p, 3));
  assert.is(adm.classOf(p), 'proven');
  const q = join('10.0.0.2', 1, 10) as IpPeer;
  assert.ok(adm.authenticated(q));
  assert.not.ok(adm.authenticated(q));
  assert.is(adm.forgetAfter(q), DEFAULT_ADMISSION.forgetAfter);
  const u = join('10.0.0.3', 1, 20) as IpPeer;
  assert.is(adm.forgetAfter(u), DEFAULT_ADMISSION.forgetUnprovenAfter);
  // Full: the newcomer may push out the silent unproven entry, not the proven ones.
  const v = join('10.0.0.4', 1, 30) as IpPeer;
  assert.ok(table.get(p.nodeIdHex) && table.get(q.nodeIdHex) && table.get(v.nodeIdHex));
  assert.not.ok(table.get(u.nodeIdHex));
  v.online = true;
  assert.is(join('10.0.0.5', 1, 40), 'peer-table-full');
});

test('static peers: always a slot, pushing out unproven first, then proven offline, then proven; never another static', () => {
  const { join, adm, table } = setup({ maxPeers: 4, newPerAddress: 100 });
  adm.addStatic('10.0.0.9', 9333);
  adm.addStatic('10.0.0.9', 9334);
  adm.addStatic('10.0.0.9', 9335);
  const proven = join('10.0.0.1', 1, 0) as IpPeer;
  adm.authenticated(proven);
  proven.online = true;
  const provenOff = join('10.0.0.2', 1, 10) as IpPeer;
  adm.authenticated(provenOff);
  const talking = join('10.0.0.3', 1, 20) as IpPeer;
  talking.online = true;
  const silent = join('10.0.0.4', 1, 30) as IpPeer;
  const order: IpPeer[] = [];
  for (const port of [9333, 9334, 9335]) {
    const before = table.all();
    const s = join('10.0.0.9', port, 40) as IpPeer;
    assert.is(adm.classOf(s), 'static');
    order.push(...before.filter((p) => !table.get(p.nodeIdHex)));
  }
  assert.equal(order, [silent, talking, provenOff]);
  // Spoofed HELLOs at a static address cannot churn the table: two new identities there, then rate-limited.
  assert.type(join('10.0.0.9', 9333, 40), 'object');
  assert.is(join('10.0.0.9', 9333, 40), 'rate-limited');
  assert.ok(table.all().filter((p) => adm.classOf(p) === 'static').length >= 2);
});

test.run();
