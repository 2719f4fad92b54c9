/**
 * The dashboard's "sent" list comes from the vault's `sent` index, not from memory: a message sent with
 * `lattice send` (another process) is listed, with its text (sealed to the recipient, opened with our own key), and
 * it is still listed after the relay restarts, with the state the vault knows (queued while the recipient is away,
 * delivered once it took it, and still delivered after another restart).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateIdentity, identityToPem, IDENTITY_FILE } from '../../identity/identity.js';
import { BIN, RelayProcess, eventually, freePort } from '../../daemon/testing/relay-process.js';

const run = promisify(execFile);

interface Sent { id: string; to: string; text?: string; state: string }

test('the sent list survives a restart and shows the vault\'s state', async () => {
  const root = mkdtempSync(join(tmpdir(), 'lattice-sent-'));
  const dirB = join(root, 'b');
  mkdirSync(dirB, { recursive: true });
  const b = generateIdentity();
  writeFileSync(join(dirB, IDENTITY_FILE), identityToPem(b), { mode: 0o600 });
  const bPort = await freePort();
  const a = new RelayProcess({ dataDir: join(root, 'a'), ipPeers: [bPort] });
  let relayB: RelayProcess | undefined;
  try {
    await a.start();
    // Sent by the CLI, a process of its own: the list is not a record of this API's sends.
    const cli = await run(process.execPath, [BIN, 'send', '--api', a.api, b.nodeIdHex, 'kept across restarts'], { timeout: 20_000 });
    const id = /[0-9a-f]{64}/.exec(cli.stdout + cli.stderr)?.[0];
    assert.ok(id, `lattice send printed no bundle id: ${cli.stdout}${cli.stderr}`);
    const listed = async (): Promise<Sent | undefined> => ((await a.get('/sent')) as { entries: Sent[] }).entries.find((e) => e.id === id);
    const before = await listed();
    assert.equal(before && [before.to, before.text, before.state], [b.nodeIdHex, 'kept across restarts', 'queued']);

    assert.is(await a.stop(), 0);
    await a.start();
    const after = await listed();
    assert.ok(after, 'listed after the restart');
    assert.equal([after!.to, after!.text, after!.state], [b.nodeIdHex, 'kept across restarts', 'queued']);

    // The recipient comes up: the vault's state moves on, and the list follows it.
    relayB = new RelayProcess({ dataDir: dirB, ipPeers: [a.ipPort] });
    relayB.ipPort = bPort;
    relayB.apiPort = await freePort();
    relayB.metricsPort = await freePort();
    await relayB.start();
    await eventually('the message delivered to B', async () => (await listed())?.state === 'delivered', 60_000);
    assert.is(await a.stop(), 0);
    await a.start();
    assert.is((await listed())?.state, 'delivered', 'delivered after another restart');
  } finally {
    await a.kill();
    await relayB?.kill();
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
