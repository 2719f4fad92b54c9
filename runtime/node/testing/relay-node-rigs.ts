/**
 * Test support: the two RelayNode implementations the contract suite and the CLI tests run on.
 * - `fakeNodeRig`: the API tests' FakeRelayNode, scripted.
 * - `realNodeRig`: the Daemon's own RelayNode methods over a running router and vault (runtime/router/testing
 *   relay-fixture.ts), with a neighbour relay on a memory bearer that sends it real, signed, sealed bundles. Only
 *   the daemon's composition (config, radios, API) is left out; what RelayNode answers is the daemon's code.
 */
import { FakeRelayNode } from '../../api/testing/fake-relay-node.js';
import { parseConfig } from '../../config/parse-config.js';
import { Daemon } from '../../daemon/daemon.js';
import { Network, type TestRelay } from '../../router/testing/relay-fixture.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import type { RelayNodeRig } from './relay-node-suite.js';

export async function fakeNodeRig(): Promise<RelayNodeRig & { node: FakeRelayNode }> {
  const node = new FakeRelayNode();
  const peer = { id: 'b'.repeat(64), shortId: 'peerb0000000' };
  node.addPeer({ ...peer, bearers: ['ip'], lastSeen: node.now() });
  return {
    node, peer,
    async receive(text) {
      node.receive({ from: peer.id, fromShortId: peer.shortId, to: node.nodeId, sentAt: node.now(), text, hops: 1 });
    },
    advance: (ms) => node.advance(ms),
    close: async () => undefined,
  };
}

export interface RealNodeRig extends RelayNodeRig {
  node: Daemon;
  /** The relay behind the node, and its neighbour that sends. */
  relay: TestRelay;
  neighbour: TestRelay;
}

export async function realNodeRig(): Promise<RealNodeRig> {
  const net = new Network();
  let offset = 0;
  const neighbour = await net.relay('peer');
  const relay = await net.relay('node', { clock: () => Date.now() + offset });
  net.link(relay, neighbour);
  const node = Object.assign(new Daemon(parseConfig({ sim: { enabled: false } })), {
    identity: relay.identity, router: relay.router, vault: relay.vault, bearers: relay.bearers,
  });
  const peer = { id: neighbour.identity.nodeIdHex, shortId: neighbour.identity.shortId };
  await waitFor('the node knows its neighbour', () => node.status().peers.some((p) => p.id === peer.id));
  return {
    node, relay, neighbour, peer,
    async receive(text) {
      const { bundleId } = await neighbour.router.send({ to: relay.identity.nodeIdHex, text });
      await waitFor(`"${text}" in the node's inbox`, () => relay.vault.inboxIds({ limit: 1000 }).some((e) => Buffer.from(e.id).toString('hex') === bundleId));
    },
    advance: (ms) => {
      offset += ms;
    },
    close: () => net.close(),
  };
}
