/**
 * `lattice inbox --follow` through the HTTP API against both RelayNode implementations: the real node (the
 * daemon's RelayNode over router and vault, receiving real bundles from a neighbour) and the API tests' fake.
 * The backlog comes oldest first, then each new message once, in the order received.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiServer } from '../api/api-server.js';
import { setLogSink } from '../log/logger.js';
import type { RelayNodeRig } from '../node/testing/relay-node-suite.js';
import { fakeNodeRig, realNodeRig } from '../node/testing/relay-node-rigs.js';
import { waitFor } from '../../lib/testing/wait-for.js';
import { runCli } from './cli.js';
import { memoryIo } from './testing/memory-io.js';

setLogSink(() => undefined, 'silent');

async function follow(rig: RelayNodeRig, extra: string[], body: (printed: () => string[]) => Promise<void>): Promise<void> {
  const server = new ApiServer({ node: rig.node, host: '127.0.0.1', port: 0 });
  await server.start();
  try {
    const io = memoryIo({ env: { LATTICE_API: `127.0.0.1:${server.address()!.port}` } });
    const running = runCli(['inbox', '--follow', '--json', '--interval', '100ms', ...extra], io);
    const printed = () => io.out().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text);
    try {
      await body(printed);
    } finally {
      io.signal('SIGINT');
      assert.is(await running, 0, io.err());
    }
    assert.is(io.listeners(), 0);
  } finally {
    await server.stop();
    await rig.close();
  }
}

async function receive(rig: RelayNodeRig, texts: string[], gapMs = 5): Promise<void> {
  for (const t of texts) {
    await rig.receive(t);
    rig.advance(gapMs);
  }
}

for (const [name, makeRig] of [['the real node', realNodeRig], ['the fake node', fakeNodeRig]] as const) {
  test(`inbox --follow on ${name}: backlog oldest first, then every new message once, in order`, async () => {
    const rig = await makeRig();
    await receive(rig, ['b1', 'b2', 'b3']);
    await follow(rig, [], async (printed) => {
      await waitFor('the backlog', () => printed().length >= 3);
      assert.equal(printed(), ['b1', 'b2', 'b3']);
      // Two with no clock step between them: possibly the same millisecond.
      await receive(rig, ['n1'], 0);
      await receive(rig, ['n2', 'n3']);
      await waitFor('the new messages', () => printed().includes('n3'));
      await receive(rig, ['last']);
      await waitFor('the last message', () => printed().includes('last'));
      assert.equal(printed(), ['b1', 'b2', 'b3', 'n1', 'n2', 'n3', 'last']);
    });
  });

  test(`inbox --follow -n 2 on ${name}: the backlog is the newest two, oldest first`, async () => {
    const rig = await makeRig();
    await receive(rig, ['old', 'b1', 'b2']);
    await follow(rig, ['-n', '2'], async (printed) => {
      await waitFor('the backlog', () => printed().length >= 2);
      await receive(rig, ['new']);
      await waitFor('the new message', () => printed().includes('new'));
      assert.equal(printed(), ['b1', 'b2', 'new']);
    });
  });
}

test.run();
