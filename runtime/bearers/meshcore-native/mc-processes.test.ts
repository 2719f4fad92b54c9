/**
 * Native MeshCore nodes in relay processes (`lattice run --config` with `protocol: meshcore`, `hal: sim`) on one
 * simulated air (`lattice sim air`'s server): two meshcore.js apps at once on relay A's companion port see what
 * relay B puts on the mesh (`lattice send mc:ch:0`), an app's channel text and DM land in B's inbox and the DM is
 * confirmed by B's ACK, an app logs in to B's repeater over the air and runs a CLI command, and `GET /status` shows
 * the repeater. The channel is MeshCore's air format on a fast setting (SF7 / 125 kHz in EU band P). Needs the build
 * (dist/).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirServer } from '../../../drivers/sx126x/sim/air-server.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { freePort, RelayProcess } from '../../daemon/testing/relay-process.js';
import { McApp } from './testing/mc-app.js';
import { quietAir } from './testing/quiet-air.js';
import { mcModulation } from './mc-preset.js';

const TXT_CLI = 1;
/** Longer than a repeater's largest flood delay here (5 × airtime/2 of a full frame at SF7/125 kHz) and a frame. */
const QUIET_MS = 800;

async function relayWithNode(dir: string, air: number, name: string, x: number, companion: number): Promise<RelayProcess> {
  const file = join(dir, 'lattice.yaml');
  await writeFile(file, [
    'lora:',
    `  - name: ${name}`,
    '    protocol: meshcore',
    '    preset: EU_NARROW',
    '    freqHz: 869462500',
    '    bwHz: 125000',
    '    sf: 7',
    '    cr: 5',
    '    region: EU_868',
    '    hal: sim',
    `    air: 127.0.0.1:${air}`,
    `    position: [${x}, 0]`,
    '    meshcore:',
    '      role: repeater',
    `      name: Relay ${name}`,
    `      companion: 127.0.0.1:${companion}`,
    `      adminPassword: admin-${name}`,
    '',
  ].join('\n'));
  return new RelayProcess({ dataDir: join(dir, 'data'), extraArgs: ['--config', file, '--no-shards'] });
}

interface NativeStatus { kind: string; state: string; detail: Record<string, unknown> }
const nativeOf = async (r: RelayProcess): Promise<NativeStatus> => ((await r.get('/status')).bearers as NativeStatus[]).find((x) => x.kind === 'meshcore-native')!;

test('relay processes: apps on A see B\'s channel text; an app\'s text and DM reach B\'s inbox, ACKed; login and CLI over the air; status', async () => {
  const air = await startAirServer({ host: '127.0.0.1', port: 0 });
  const dirs = [await mkdtemp(join(tmpdir(), 'mc-proc-a-')), await mkdtemp(join(tmpdir(), 'mc-proc-b-'))];
  const relays: RelayProcess[] = [];
  const apps: McApp[] = [];
  const closers: Array<() => void> = [];
  try {
    const ports = [await freePort(), await freePort()];
    relays.push(await relayWithNode(dirs[0]!, air.port, 'mca', 0, ports[0]!), await relayWithNode(dirs[1]!, air.port, 'mcb', 700, ports[1]!));
    await Promise.all(relays.map((r) => r.start()));
    const air0 = await quietAir(air.port, mcModulation({ preset: 'EU_NARROW', freqHz: 869462500, bwHz: 125000, sf: 7, cr: 5 })!, [350, 0], QUIET_MS);
    closers.push(() => air0.close());
    // Each step waits for the air to go quiet first (testing/quiet-air.ts).
    const quiet = () => air0.quiet();
    const [a, b] = relays as [RelayProcess, RelayProcess];
    // The three apps connect at once; each that connected is closed in `finally`, also when another failed.
    const connected = await Promise.allSettled([McApp.connect(ports[0]!), McApp.connect(ports[0]!), McApp.connect(ports[1]!)]);
    for (const c of connected) if (c.status === 'fulfilled') apps.push(c.value);
    for (const c of connected) if (c.status === 'rejected') throw c.reason;
    const [app1, app2, appB] = apps as [McApp, McApp, McApp];
    const keyA = (await nativeOf(a)).detail.publicKey as string;
    const keyB = (await nativeOf(b)).detail.publicKey as string;

    // Contacts from adverts (an app's "send advert" on each side, one after the other: the simulated air has no
    // CAD, so two at once collide).
    await appB.floodAdvert();
    const contact = await waitFor('B in the apps\' contacts at A', async () => (await app2.conn.getContacts()).find((c: { publicKey: Uint8Array }) => Buffer.from(c.publicKey).toString('hex') === keyB));
    assert.is(contact.advName, 'Relay mcb');
    await quiet();
    await app1.floodAdvert();
    await waitFor('A in the contacts at B', async () => (await appB.conn.getContacts()).some((c: { publicKey: Uint8Array }) => Buffer.from(c.publicKey).toString('hex') === keyA));
    await quiet();

    // `lattice send mc:ch:0` at B reaches both apps at A.
    await quiet();
    await b.send('mc:ch:0', 'from the relay at B');
    for (const app of [app1, app2]) await waitFor('B\'s channel text in an app at A', () => app.messages.find((m) => m.kind === 'channel' && m.text === 'Relay mcb: from the relay at B'));

    // An app's channel text and DM at A land in B's inbox; the DM is confirmed by B's ACK.
    await quiet();
    await app2.conn.sendChannelTextMessage(0, 'channel hello from A');
    const inbox = async (text: string) => ((await b.get('/inbox')).entries as Array<{ text?: string; fromName?: string }>).find((e) => e.text?.includes(text));
    const chEntry = await waitFor('the channel text in B\'s inbox', () => inbox('channel hello from A'));
    await quiet();
    const dm = await app1.conn.sendTextMessage(new Uint8Array(Buffer.from(keyB, 'hex')), 'direct hello from A');
    const dmEntry = await waitFor('the DM in B\'s inbox', () => inbox('direct hello from A'));
    assert.is(dmEntry.fromName, 'Relay mca');
    assert.ok(chEntry);
    await waitFor('SEND_CONFIRMED for the DM', () => app1.confirmed.includes(dm.expectedAckCrc));

    await quiet();
    // Remote admin: login to B's repeater with its admin password, then `get name` over the air.
    await app1.login(new Uint8Array(Buffer.from(keyB, 'hex')), 'admin-mcb');
    await app1.conn.sendTextMessage(new Uint8Array(Buffer.from(keyB, 'hex')), 'get name', TXT_CLI);
    const reply = await waitFor('the CLI reply', () => app1.messages.find((m) => m.kind === 'contact' && m.txtType === TXT_CLI));
    assert.match(reply.text, /Relay mcb/);

    const stA = await nativeOf(a);
    assert.is(stA.state, 'up');
    assert.is(stA.detail.publicKey, keyA);
    // Two apps and the relay's own gateway.
    assert.is(stA.detail.clients, 3);
    assert.ok((stA.detail.neighbours as Array<{ publicKey: string }>).some((n) => n.publicKey === keyB), 'B is a neighbour of A');
    const stB = await nativeOf(b);
    assert.equal([stB.detail.loggedIn, (stB.detail.counters as { loginsOk: number }).loginsOk], [1, 1]);
    const metrics = await (await fetch(`http://127.0.0.1:${b.metricsPort}/metrics`)).text();
    assert.match(metrics, /lattice_meshcore_native_logins_total\{bearer="mcb",result="ok"\} 1/);
  } finally {
    for (const c of closers) c();
    for (const app of apps) await app.close();
    await Promise.all(relays.map((r) => r.stop()));
    await air.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
});

test.run();
