/**
 * The managed-flooding promise in numbers: 20 nodes at seeded random positions (6 km square, 2.2 km range), each
 * sends one text with the default hop limit 3: it reaches nodes up to 3 hops away through relays that still have
 * hops to give, and nodes 4 hops away only through a relay's last copy (sent with hop_limit 0). Virtual time, no
 * collisions (MemoryAir): what differs between runs is only the routing. Plain flooding — every node that hears a
 * packet with hops left relays it once — is measured on the same mesh with every node a ROUTER (a ROUTER never
 * cancels its rebroadcast) and checked against the count worked out from the hop distances; on this mesh it reaches
 * everyone in reach (not a law: a ROUTER that has already sent a copy with fewer hops left does not send the better
 * copy it hears later, so on other seeds a node at the edge can miss out).
 *
 * Managed flooding (firmware 2.7.26, faithfully) does NOT reach everyone in reach: a node whose only neighbour
 * cancels its rebroadcast because another neighbour relayed first never hears the text
 * (FloodingRouter::perhapsCancelDupe), and which node that is depends on every timing (even the text's length). So
 * for the two managed deployments — the well-placed nodes (6 or more neighbours) as ROUTER and the rest CLIENT, and
 * every node a CLIENT — the test asserts what the firmware does promise: no client gets a text twice, and far fewer
 * rebroadcasts than plain flooding; the coverage is printed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../lib/testing/manual-clock.js';
import { NODENUM_BROADCAST } from './hops.js';
import { MemoryAir } from './testing/memory-air.js';
import { hopDistances, randomMesh, type RandomMeshOptions } from './testing/random-mesh.js';
import { decodeTestFrame } from './testing/test-frame-codec.js';
import { LONG_FAST, textPacket } from './testing/test-node.js';

const MESH = { nodes: 20, sizeM: 6000, rangeM: 2200, seed: 0x5eed1 };
const HOP_LIMIT = 3;

async function run(role: RandomMeshOptions['role']) {
  const clock = new ManualClock();
  const air = new MemoryAir(clock, LONG_FAST);
  const { nodes, neighbours } = randomMesh(air, clock, { ...MESH, role });
  for (const n of nodes) for (const m of nodes) if (n !== m) n.directory.know(m.num); // no greeting traffic
  for (const n of nodes) n.router.start();
  const ids: number[] = [];
  for (const n of nodes) {
    ids.push(n.router.sendFromPhone(textPacket(NODENUM_BROADCAST, `hello from ${n.name}`, { hopLimit: HOP_LIMIT })));
    await clock.advance(60_000); // one text a minute: each flood is over before the next
  }
  await clock.advance(60_000);
  // pairs within the hop limit, and at the edge (hop limit + 1: only a relay's hop_limit-0 copy gets there)
  let reachable = 0, reached = 0, edge = 0, edgeReached = 0, twice = 0, rebroadcasts = 0, plainFromDistances = 0;
  for (const [o, id] of ids.entries()) {
    const dist = hopDistances(neighbours, o);
    for (const [i, n] of nodes.entries()) {
      const copies = n.toPhone.filter((p) => p.id === id).length;
      if (copies > 1) twice++;
      if (i === o) assert.is(copies, 0, `${n.name} does not get its own text back`);
      else if (dist[i]! <= HOP_LIMIT) {
        reachable++;
        if (copies > 0) reached++;
      } else if (dist[i] === HOP_LIMIT + 1) {
        edge++;
        if (copies > 0) edgeReached++;
      } else assert.is(copies, 0, `${n.name} is ${dist[i]} hops from ${nodes[o]!.name}: out of reach`);
    }
    // every node at 1..hop limit hops relays once (at exactly the hop limit it hears hop_limit 1, relays with 0)
    plainFromDistances += dist.filter((d) => d >= 1 && d <= HOP_LIMIT).length;
    rebroadcasts += air.log.filter((t) => t.radio !== nodes[o]!.name && decodeTestFrame(t.bytes).id === id).length;
  }
  const routers = nodes.filter((n) => n.router.role === 'ROUTER').length;
  return { reachable, reached, edge, edgeReached, twice, rebroadcasts, plainFromDistances, routers, links: neighbours.reduce((x, n) => x + n.length, 0) / 2 };
}

test('20-node random mesh: plain flooding reaches every node in reach once; managed flooding never delivers twice and relays far less', async () => {
  const deployed = await run((_, neighbours) => (neighbours >= 6 ? 'ROUTER' : 'CLIENT'));
  const clients = await run('CLIENT');
  const plain = await run('ROUTER');
  const line = (name: string, r: typeof deployed) =>
    `  ${name}: ${r.rebroadcasts} rebroadcasts, reached ${r.reached}/${r.reachable} (origin, node) pairs within ${HOP_LIMIT} hops and ${r.edgeReached}/${r.edge} at ${HOP_LIMIT + 1}, ${r.twice} twice`;
  console.log(
    `random mesh: ${MESH.nodes} nodes, ${MESH.sizeM / 1000} km square, range ${MESH.rangeM / 1000} km, seed 0x${MESH.seed.toString(16)}, ${deployed.links} links, hop limit ${HOP_LIMIT}, ${MESH.nodes} texts\n` +
      `${line('plain flooding (all ROUTER)', plain)} (${plain.plainFromDistances} from hop distances)\n` +
      `${line(`managed flooding, ${deployed.routers} ROUTER + ${MESH.nodes - deployed.routers} CLIENT`, deployed)}\n` +
      `${line('managed flooding, all CLIENT', clients)}`,
  );
  assert.is(plain.rebroadcasts, plain.plainFromDistances, 'the never-cancelling mesh relays exactly as plain flooding');
  assert.is(plain.reached + plain.edgeReached, plain.reachable + plain.edge, 'plain flooding reaches every node in reach');
  assert.is(plain.twice, 0);
  assert.is(deployed.twice, 0, 'ROUTER + CLIENT: no client gets a text twice');
  assert.ok(deployed.rebroadcasts < plain.rebroadcasts, `managed flooding relays less: ${deployed.rebroadcasts} < ${plain.rebroadcasts}`);
  assert.is(clients.twice, 0, 'all CLIENT: never twice either');
  assert.ok(clients.rebroadcasts < deployed.rebroadcasts, 'all CLIENT: fewer rebroadcasts still');
});

test.run();
