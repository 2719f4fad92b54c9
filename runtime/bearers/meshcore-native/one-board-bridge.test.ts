/**
 * One board, both meshes (issue 14): relay R has one native Meshtastic radio (mt0) and one native MeshCore radio (mc0)
 * on the simulated air and bridges them with the existing bridge — no companion radio anywhere. Relay M is a native
 * Meshtastic node (with an official @meshtastic/core client), relay C a native MeshCore node (with a meshcore.js app).
 * A Meshtastic channel text reaches C's app on MeshCore's public channel, attributed; C's app's public text reaches M
 * on channel 0; and a Meshtastic DM `@MC:<name> …` to R's node arrives as a MeshCore DM at C's app. The bridge takes
 * the native radios as "the first radio of each kind" (no bridge.meshtastic / bridge.meshcore names). Needs dist/.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirServer } from '../../../drivers/sx126x/sim/air-server.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { freePort, RelayProcess } from '../../daemon/testing/relay-process.js';
import { CoreClient } from '../meshtastic-native/testing/core-client.js';
import { McApp } from './testing/mc-app.js';
import { quietAir, type QuietAir } from './testing/quiet-air.js';
import { mcModulation } from './mc-preset.js';

/** MeshCore on a fast channel in EU band M (868.3 MHz, SF7 / 125 kHz), clear of Meshtastic ShortFast, which fills band P. */
const MC_CHANNEL = mcModulation({ preset: 'EU_NARROW', freqHz: 868_300_000, bwHz: 125_000, sf: 7, cr: 5 })!;
/** Longer than a MeshCore repeater's largest flood delay on that channel plus a frame (testing/quiet-air.ts). */
const QUIET_MS = 800;
const MC = ['    preset: EU_NARROW', '    freqHz: 868300000', '    bwHz: 125000', '    sf: 7', '    cr: 5', '    region: EU_868', '    hal: sim'];
const MT = ['    preset: ShortFast', '    region: EU_868', '    hal: sim'];

async function relay(dir: string, lines: string[]): Promise<RelayProcess> {
  const file = join(dir, 'lattice.yaml');
  await writeFile(file, [...lines, ''].join('\n'));
  return new RelayProcess({ dataDir: join(dir, 'data'), extraArgs: ['--config', file, '--no-shards'] });
}

test('a two-radio relay bridges a native Meshtastic node\'s channel text to a native MeshCore node and back, and a DM by @MC:name', async () => {
  const air = await startAirServer({ host: '127.0.0.1', port: 0 });
  const dirs = await Promise.all(['r', 'm', 'c'].map((n) => mkdtemp(join(tmpdir(), `one-board-${n}-`))));
  const relays: RelayProcess[] = [];
  let mtApp: CoreClient | undefined;
  let mcApp: McApp | undefined;
  let mcAir: QuietAir | undefined;
  let bridgeApp: McApp | undefined;
  try {
    const [mtApi, mcPort, bridgePort] = [await freePort(), await freePort(), await freePort()];
    const at = (x: number) => [`    air: 127.0.0.1:${air.port}`, `    position: [${x}, 0]`];
    relays.push(
      await relay(dirs[0]!, [
        'lora:',
        '  - name: mt0', '    protocol: meshtastic', ...MT, ...at(0), '    meshtastic: { role: ROUTER, longName: Bridge relay, shortName: BRDG, api: false }',
        '  - name: mc0', '    protocol: meshcore', ...MC, ...at(0), `    meshcore: { name: Bridge relay, companion: 127.0.0.1:${bridgePort} }`,
        'bridge:',
        '  enabled: true',
        '  peerHoldoffMs: 0',
        '  mappings: [{ meshtastic: 0, meshcore: public, direction: both }]',
      ]),
      await relay(dirs[1]!, ['lora:', '  - name: mtm', '    protocol: meshtastic', ...MT, ...at(600), `    meshtastic: { role: CLIENT, longName: Marsh, shortName: MRSH, api: 127.0.0.1:${mtApi} }`]),
      await relay(dirs[2]!, ['lora:', '  - name: mcc', '    protocol: meshcore', ...MC, ...at(-600), `    meshcore: { role: companion, name: Cabin, companion: 127.0.0.1:${mcPort} }`]),
    );
    await Promise.all(relays.map((r) => r.start()));
    mcAir = await quietAir(air.port, MC_CHANNEL, [0, 0], QUIET_MS);
    const [r, m] = relays as [RelayProcess, RelayProcess, RelayProcess];
    const st = await r.get('/status');
    assert.equal(st.bridge.radios, { meshtastic: 'mt0', meshcore: 'mc0' }, 'the first native radio of each kind');
    const rNodeNum = (st.bearers as Array<{ name: string; detail: { nodeNum: number } }>).find((b) => b.name === 'mt0')!.detail.nodeNum;

    mtApp = await CoreClient.connect(mtApi);
    mcApp = await McApp.connect(mcPort);
    // MeshCore: Cabin's advert makes it a contact of the bridge's radio (for the @MC: DM); Meshtastic: a NodeInfo
    // exchange gives Marsh the bridge node's key (PKI DM).
    await mcApp.floodAdvert();
    await waitFor('the bridge\'s MeshCore radio knows Cabin', async () => ((await r.get('/status')).radios as Array<{ name: string; nodes: Array<{ name?: string }> }>).find((x) => x.name === 'mc0')!.nodes.some((n) => n.name === 'Cabin'));
    // …and the bridge's advert (sent by an app on its companion port, rather than waiting for the repeater's first
    // advert 16 s after start) makes the bridge's radio a contact of Cabin, so Cabin can read its DMs.
    await mcAir.quiet();
    bridgeApp = await McApp.connect(bridgePort);
    await bridgeApp.floodAdvert();
    await waitFor('Cabin knows the bridge\'s radio', async () => (await mcApp!.conn.getContacts()).some((c: { advName: string }) => c.advName === 'Bridge relay'));
    mtApp.nodeInfoPing();
    await waitFor('Marsh knows the bridge node\'s key', () => mtApp!.nodes.get(rNodeNum)?.publicKey?.length === 32);

    // Meshtastic channel 0 → MeshCore public, attributed to the Meshtastic sender.
    // The SDK's promise waits for a routing answer the broadcast never gets: not awaited.
    void mtApp.device.sendText('hello from the marsh', 'broadcast', false, 0).catch(() => undefined);
    const bridged = await waitFor('Cabin hears the Meshtastic text', () => mcApp!.messages.find((m) => m.kind === 'channel' && m.text.includes('hello from the marsh')));
    assert.match(bridged.text, /^Bridge relay: MT@Marsh: hello from the marsh$/);

    // MeshCore public → Meshtastic channel 0 (once the bridge's repeater forwarded what came before).
    await mcAir.quiet();
    await mcApp.conn.sendChannelTextMessage(0, 'hello from the cabin');
    const back = await waitFor('Marsh hears the MeshCore text', () => mtApp!.messages.find((m) => m.data.includes('hello from the cabin')));
    assert.match(back.data, /MC@Cabin: hello from the cabin/);
    assert.is(back.channel, 0);

    // A Meshtastic DM to the bridge node, addressed `@MC:Cabin`, is DMed to Cabin on MeshCore. Sent by relay M's
    // node (`lattice send mt:!…`): the SDK queues a send behind its broadcast until that one times out.
    await mcAir.quiet();
    await m.send(`mt:!${rNodeNum.toString(16).padStart(8, '0')}`, '@MC:Cabin are you at the hut?');
    const dm = await waitFor('Cabin gets the DM', () => mcApp!.messages.find((m) => m.kind === 'contact' && m.text.includes('are you at the hut?')));
    assert.not.match(dm.text, /@MC:/, 'the address is taken off');
  } catch (err) {
    console.error(relays[0]?.output.split('\n').filter((l) => /bridge|mt0|mc0|foreign|inbox/.test(l)).slice(-30).join('\n'));
    console.error(JSON.stringify(mcApp?.messages));
    for (const x of [relays[0]!, relays[2]!]) console.error(JSON.stringify(((await x.get('/status')).bearers as Array<{ kind: string; detail: { counters: unknown; channels: unknown } }>).filter((b) => b.kind === 'meshcore-native').map((b) => [b.detail.counters, b.detail.channels])));
    throw err;
  } finally {
    mcAir?.close();
    await mcApp?.close();
    await bridgeApp?.close();
    await mtApp?.close();
    await Promise.all(relays.map((x) => x.stop()));
    await air.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }
});

test.run();
