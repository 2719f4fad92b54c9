/**
 * Native Meshtastic nodes in relay processes (`lattice run --config` with `protocol: meshtastic`, `hal: sim`) on one
 * simulated air: an official @meshtastic/core client on relay A's client API gets a text that `POST /send`
 * (`lattice send mt:ch:0 …`) put on the mesh at relay B, and a client's text lands in relay B's inbox as a message
 * from A's node; `GET /status` reports the native node (number, role, channels, neighbours, clients). Needs the
 * build (dist/).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirServer } from '../../../drivers/sx126x/sim/air-server.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { freePort, RelayProcess } from '../../daemon/testing/relay-process.js';
import { CoreClient } from './testing/core-client.js';

/** Writes the relay's config; the caller keeps the process before starting it, so a failed start still stops it. */
async function relayWithNode(dir: string, air: number, name: string, x: number, api: number): Promise<RelayProcess> {
  const file = join(dir, 'lattice.yaml');
  await writeFile(file, [
    'lora:',
    `  - name: ${name}`,
    '    protocol: meshtastic',
    '    preset: ShortFast',
    '    region: EU_868',
    '    hal: sim',
    `    air: 127.0.0.1:${air}`,
    `    position: [${x}, 0]`,
    '    meshtastic:',
    '      role: ROUTER',
    `      longName: Relay ${name}`,
    `      api: 127.0.0.1:${api}`,
    '',
  ].join('\n'));
  return new RelayProcess({ dataDir: join(dir, 'data'), extraArgs: ['--config', file, '--no-shards'] });
}

test('relay processes: `lattice send mt:ch:0` at B reaches an official client of A; a client text reaches B\'s inbox; status shows the node', async () => {
  const air = await startAirServer({ host: '127.0.0.1', port: 0 });
  const dirs = [await mkdtemp(join(tmpdir(), 'native-proc-a-')), await mkdtemp(join(tmpdir(), 'native-proc-b-'))];
  const relays: RelayProcess[] = [];
  let client: CoreClient | undefined;
  try {
    const apis = [await freePort(), await freePort()];
    relays.push(await relayWithNode(dirs[0]!, air.port, 'mta', 0, apis[0]!), await relayWithNode(dirs[1]!, air.port, 'mtb', 700, apis[1]!));
    // Both kept in `relays` before either starts: when one fails (EADDRINUSE under a loaded run), `finally` stops
    // the other, which otherwise kept this process alive until the runner's 300 s timeout.
    await Promise.all(relays.map((r) => r.start()));
    const [a, b] = relays as [RelayProcess, RelayProcess];
    client = await CoreClient.connect(apis[0]!);
    const nodeOf = async (r: RelayProcess) => ((await r.get('/status')).bearers as Array<{ kind: string; detail: { nodeNum: number } }>).find((x) => x.kind === 'meshtastic-native')!.detail.nodeNum;
    const [nodeA, nodeB] = [await nodeOf(a), await nodeOf(b)];
    assert.is(client.myNodeNum, nodeA);

    // Meet: A's NodeInfo (asking for an answer) on a client's ping; B answers.
    client.nodeInfoPing();
    await waitFor('A\'s client knows B', () => client!.nodes.get(nodeB)?.publicKey?.length === 32);

    await b.send('mt:ch:0', 'from the relay at B');
    await waitFor('A\'s client got B\'s text', () => client!.messages.some((m) => m.from === nodeB && m.data === 'from the relay at B'));

    void client.device.sendText('from the app at A', 'broadcast', false, 0).catch(() => undefined);
    const entry = await waitFor('B\'s inbox has the client\'s text', async () => {
      const { entries } = await b.get('/inbox');
      return (entries as Array<{ text?: string; from: string; fromName?: string }>).find((e) => e.text === 'from the app at A');
    });
    // Wrapped by relay B, named after the foreign sender as its NodeDB knows it.
    assert.is(entry.fromName, 'Relay mta');

    const status = await a.get('/status');
    const native = (status.bearers as Array<{ kind: string; state: string; detail: Record<string, unknown> }>).find((x) => x.kind === 'meshtastic-native')!;
    assert.is(native.state, 'up');
    assert.equal([native.detail.role, native.detail.clients, (native.detail.neighbours as Array<{ id: string }>).map((n) => n.id)], ['ROUTER', 1, [`!${nodeB.toString(16).padStart(8, '0')}`]]);
    const radio = (status.radios as Array<{ name: string; self: { nodeNum: number } }>).find((r) => r.name === 'mta')!;
    assert.is(radio.self.nodeNum, nodeA);
  } finally {
    await client?.close();
    await Promise.all(relays.map((r) => r.stop()));
    await air.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
});

test.run();
