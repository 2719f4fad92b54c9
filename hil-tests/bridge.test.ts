/**
 * The bridge with real radios: one Meshtastic radio and one MeshCore companion radio on this machine.
 *
 *   LATTICE_HIL_MESHTASTIC_PORT=/dev/ttyUSB0 LATTICE_HIL_MESHCORE_PORT=/dev/ttyACM0 npm test -- hil-tests/bridge.test.ts
 *
 * Both variables are needed (serial path or host:port, as in meshtastic.test.ts and meshcore.test.ts); without them
 * the file prints SKIP and skips. It TRANSMITS: one short text on each mesh's channel (below), each run.
 *
 * A test cannot make a user on a real mesh speak, nor see what the other mesh's users see. So the text a mesh user
 * would send is handed to the relay as the gateway would hand it (a `foreign` event from a test sender, "HIL
 * tester"), and the test asserts what the relay can observe: the bridge queues a part for the other mesh, the other
 * radio accepts the send (MeshCore: RESP_CODE_OK to CMD_SEND_CHANNEL_TXT_MSG; Meshtastic: the packet entered the
 * radio's TX queue, QueueStatus res 0), and `lattice trace` data shows both bundles: `bridged` on the source and
 * `bridged-from` on the new one.
 *
 * Optional:
 *   LATTICE_HIL_BRIDGE_MT_CHANNEL   Meshtastic channel index to bridge (default 0). Use a private test channel to
 *                                   keep the test off a busy public channel.
 *   LATTICE_HIL_BRIDGE_MC_CHANNEL   MeshCore channel: `public`, `#hashtag` or a slot index (default `public`).
 *   LATTICE_HIL_BRIDGE_LISTEN_MS    After the automatic checks, wait this long for a HUMAN: send a channel text from a
 *                                   phone on either mesh; the test asserts that the relay bridged it (a `bridged`
 *                                   trace on a foreign bundle) and prints what went out. A second phone on the other
 *                                   mesh shows it as `MT@<name>: …` / `MC@<name>: …`.
 * To watch with your own eyes: keep a phone app on each mesh on the bridged channels; each run shows
 * "MT@HIL tester: lattice bridge HIL <time>" on MeshCore and "MC@HIL tester: lattice bridge HIL <time>" on Meshtastic.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor as until } from '../lib/testing/wait-for.js';

const mtPort = process.env.LATTICE_HIL_MESHTASTIC_PORT;
const mcPort = process.env.LATTICE_HIL_MESHCORE_PORT;

if (!mtPort || !mcPort) {
  const missing = [!mtPort && 'LATTICE_HIL_MESHTASTIC_PORT', !mcPort && 'LATTICE_HIL_MESHCORE_PORT'].filter(Boolean).join(' and ');
  const reason = `${missing} not set (the bridge HIL test needs a Meshtastic AND a MeshCore radio: serial path or host:port)`;
  console.log(`SKIP bridge HIL test: ${reason}`);
  test.skip(`bridge HIL test (skipped: ${reason})`, () => {});
  test.run();
} else {
  await registerBridgeHil(mtPort, mcPort);
  test.run();
}

async function registerBridgeHil(mtDevice: string, mcDevice: string): Promise<void> {
  // Loaded only with radios named, so the skip path costs nothing.
  const { Vault } = await import('../runtime/vault/vault.js');
  const { Router } = await import('../runtime/router/router.js');
  const { Bridge } = await import('../runtime/bridge/bridge.js');
  const { DEFAULTS } = await import('../runtime/config/defaults.js');
  const { generateIdentity } = await import('../runtime/identity/identity.js');
  const { createLogger } = await import('../runtime/log/logger.js');
  const { meshtasticBearer } = await import('../runtime/bearers/meshtastic/create-meshtastic-bearer.js');
  const { meshcoreBearer } = await import('../runtime/bearers/meshcore/create-meshcore-bearer.js');
  const { defaultComponents } = await import('../runtime/components/components.js');
  const { InjectingBearer } = await import('./testing/injecting-bearer.js');
  type BridgeConfig = import('../runtime/config/config.js').BridgeConfig;

  const mtChannel = Number(process.env.LATTICE_HIL_BRIDGE_MT_CHANNEL ?? 0);
  const mcChannel = process.env.LATTICE_HIL_BRIDGE_MC_CHANNEL ?? 'public';
  const listenMs = Number(process.env.LATTICE_HIL_BRIDGE_LISTEN_MS ?? 0);
  const log = createLogger('hil.bridge');
  const dir = mkdtempSync(join(tmpdir(), 'lattice-hil-bridge-'));
  const identity = generateIdentity();
  const vault = new Vault({ path: join(dir, 'vault') });
  const components = defaultComponents({ logger: { forComponent: (name) => log.child(name) } });
  const mt = new InjectingBearer(meshtasticBearer({ device: mtDevice, name: 'meshtastic0' })(components));
  const mc = new InjectingBearer(meshcoreBearer({ device: mcDevice, name: 'meshcore0' })(components));
  const bearers = [mt, mc];
  const router = new Router({ identity, vault, bearers, log });
  const settings: BridgeConfig = {
    ...DEFAULTS.bridge,
    enabled: true,
    meshtastic: 'meshtastic0',
    meshcore: 'meshcore0',
    mappings: [{ meshtastic: mtChannel, meshcore: /^\d+$/.test(mcChannel) ? Number(mcChannel) : mcChannel, direction: 'both' }],
  };
  const bridge = new Bridge({ router, vault, identity, bearers, settings, log, dataDir: dir });
  const hex = (id: string) => Buffer.from(id, 'hex');

  /** Hands the relay a channel text as if the gateway had heard it; returns the bridged bundle's id. */
  async function bridgeOne(from: InstanceType<typeof InjectingBearer>, net: 'mt' | 'mc', channel: string, to: InstanceType<typeof InjectingBearer>) {
    const text = `lattice bridge HIL ${new Date().toISOString().slice(11, 19)}`;
    const created = new Promise<string>((resolve) => {
      const off = router.events.on('received', (e) => {
        if (e.created && e.bearer === from.name) {
          off();
          resolve(e.id);
        }
      });
    });
    from.inject({
      bearer: from.name, from: net === 'mt' ? 'mt:!4a11c0de' : 'mc:ch:0', fromName: 'HIL tester', to: channel, direct: false, text,
      packetId: Math.floor(Math.random() * 2 ** 31), receivedAt: Date.now(),
    });
    const sourceId = await created;
    const bridged = await until(`a bridged trace on ${sourceId.slice(0, 8)}`, () => vault.traceEvents(hex(sourceId)).find((e) => e.event === 'bridged'), 60_000);
    const newId = /[0-9a-f]{64}/.exec(bridged.detail ?? '')?.[0];
    assert.ok(newId, `the bridged trace names the new bundle: ${bridged.detail}`);
    // `delivered` with the gateway's name: the radio accepted the send (the router's sync-bearer hop).
    const sent = await until(`${to.name} to accept ${newId!.slice(0, 8)}`, () => vault.traceEvents(hex(newId!)).find((e) => e.event === 'delivered' && e.bearer === to.name), 90_000);
    const from2 = vault.traceEvents(hex(newId!)).find((e) => e.event === 'bridged-from');
    assert.ok(from2, 'the new bundle names its source');
    assert.ok(from2!.detail?.includes(sourceId), 'bridged-from names the source id');
    console.log(`bridged ${net.toUpperCase()} -> ${net === 'mt' ? 'MC' : 'MT'}: "${text}" (source ${sourceId.slice(0, 8)}, sent ${newId!.slice(0, 8)} via ${sent.bearer})`);
  }

  test.before(async () => {
    await vault.start();
    await router.start();
    for (const b of bearers) await b.start();
    await until('both radios up', () => (mt.status().state === 'up' && mc.status().state === 'up' ? true : undefined), 90_000);
    await bridge.start();
  });

  test.after(async () => {
    await bridge.stop();
    for (const b of [...bearers].reverse()) await b.stop();
    await router.stop();
    await vault.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('both radios come up and the bridge resolves the mapping on them', () => {
    const s = bridge.status();
    assert.equal(s.radios, { meshtastic: 'meshtastic0', meshcore: 'meshcore0' });
    const m = s.mappings[0]!;
    assert.ok(m.resolved.meshtastic !== undefined, `Meshtastic channel ${mtChannel} exists on the radio`);
    assert.ok(m.resolved.meshcore !== undefined, `MeshCore channel ${mcChannel} exists on the radio`);
  });

  test('Meshtastic channel text is bridged and the MeshCore radio accepts it; trace shows both bundles', async () => {
    const m = bridge.status().mappings[0]!;
    await bridgeOne(mt, 'mt', `mt:ch:${m.resolved.meshtastic}`, mc);
  });

  test('MeshCore channel text is bridged and the Meshtastic radio accepts it; trace shows both bundles', async () => {
    const m = bridge.status().mappings[0]!;
    await bridgeOne(mc, 'mc', `mc:ch:${m.resolved.meshcore}`, mt);
  });

  if (listenMs > 0) {
    test(`a human's channel text on either mesh is bridged (listening ${listenMs} ms)`, async () => {
      console.log(`send a channel text from a phone on Meshtastic channel ${mtChannel} or MeshCore ${mcChannel} now…`);
      const id = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no channel text from a mesh within ${listenMs} ms`)), listenMs);
        const off = router.events.on('received', (e) => {
          if (e.created && e.bearer && !router.bundleView(e.id)?.text?.startsWith('lattice bridge HIL')) {
            clearTimeout(t);
            off();
            resolve(e.id);
          }
        });
      });
      const bridged = await until('the human text to be bridged', () => vault.traceEvents(hex(id)).find((e) => e.event === 'bridged' || e.event === 'bridge-dropped'), 60_000);
      assert.is(bridged.event, 'bridged', `not bridged: ${bridged.detail}`);
      console.log(`bridged a human's text: ${bridged.detail}`);
    });
  }
}
