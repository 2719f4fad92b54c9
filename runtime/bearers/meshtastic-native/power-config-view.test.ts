/**
 * What a client reads of a native node while the power policies act on it: the transmit power and the role it runs
 * with, in the handshake's Config, in get_config answers and in the relay's status, as the firmware's one `config`
 * is both what runs and what AdminModule::handleGetConfig answers. The policy's values never become the operator's:
 * an app that sends back the section it read (apps send a whole section to change one field) keeps the saved power
 * and role, and once the policy lifts clients read the operator's settings again.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { create, toBinary } from '@bufbuild/protobuf';
import { Admin, Config, Portnums } from '@meshtastic/protobufs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirServer } from '../../../drivers/sx126x/sim/air-server.js';
import { waitFor } from '../../../lib/testing/wait-for.js';
import { defaultComponents } from '../../components/components.js';
import { parseConfig } from '../../config/parse-config.js';
import { generateIdentity } from '../../identity/identity.js';
import { setLogSink } from '../../log/logger.js';
import { loraBearers } from '../lora/lora-from-config.js';
import type { NativeNode } from './native-node.js';
import { CoreClient } from './testing/core-client.js';
import { freePort } from '../../daemon/testing/relay-process.js';

setLogSink(() => undefined, 'silent');

const Role = Config.Config_DeviceConfig_Role;
const lora = (c: CoreClient) => c.configs.filter((x) => x.payloadVariant.case === 'lora').map((x) => x.payloadVariant.value as Config.Config_LoRaConfig);
const device = (c: CoreClient) => c.configs.filter((x) => x.payloadVariant.case === 'device').map((x) => x.payloadVariant.value as Config.Config_DeviceConfig);

test('while a power policy acts, clients and status read the live transmit power and role; the operator\'s come back', async () => {
  const air = await startAirServer({ host: '127.0.0.1', port: 0 });
  const dir = await mkdtemp(join(tmpdir(), 'native-power-view-'));
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const api = await freePort();
    const config = parseConfig({ lora: [{ name: 'roof', protocol: 'meshtastic', preset: 'ShortFast', region: 'EU_868', hal: 'sim', air: `127.0.0.1:${air.port}`, txPowerDbm: 20, meshtastic: { role: 'ROUTER', api: `127.0.0.1:${api}` } }] }, {}, { home: dir });
    const built = await loraBearers(config.lora, { identity: generateIdentity(), dataDir: dir, bearerNames: ['roof'] });
    cleanups.push(...(built.cleanups ?? []));
    const roof = built.bearers[0]!(defaultComponents()) as NativeNode;
    await roof.start();
    cleanups.unshift(() => roof.stop());
    const configured = roof.radio().modulation!.txPowerDbm;
    assert.is(configured, 20);

    // The battery is low: 14 dBm, ROUTER runs as CLIENT.
    await roof.setTxPowerCap(14);
    roof.setClientRole(true);
    const a = await CoreClient.connect(api);
    cleanups.unshift(() => a.close());
    assert.is(lora(a).at(-1)?.txPower, 14, 'the handshake\'s LoRa config says the power in use');
    assert.is(device(a).at(-1)?.role, Role.CLIENT, 'the handshake\'s device config says the role it runs');
    const detail = roof.status().detail as Record<string, unknown>;
    assert.is(detail.role, 'CLIENT');
    assert.is(detail.configuredRole, 'ROUTER');
    assert.is(detail.txPowerDbm, 14);
    assert.is(detail.configuredTxPowerDbm, 20);
    assert.is(roof.radio().self!.role, 'CLIENT');

    a.configs.length = 0;
    // The SDK's promises wait for an ACK a local admin request does not get: the answers are waited for instead.
    void a.device.getConfig(Admin.AdminMessage_ConfigType.LORA_CONFIG).catch(() => undefined);
    void a.device.getConfig(Admin.AdminMessage_ConfigType.DEVICE_CONFIG).catch(() => undefined);
    await waitFor('get_config answers', () => lora(a).length > 0 && device(a).length > 0);
    assert.is(lora(a)[0]!.txPower, 14, 'get_config: the power in use');
    assert.is(device(a)[0]!.role, Role.CLIENT, 'get_config: the role it runs');

    // An app changes the hop limit, sending back the whole section it read: the policy's values are not saved.
    const readLora = lora(a)[0]!;
    const readDevice = device(a)[0]!;
    // As MeshDevice.setConfig sends it, without its begin_edit_settings round trip first.
    const setConfig = (value: Config.Config) => void a.device.sendPacket(toBinary(Admin.AdminMessageSchema, create(Admin.AdminMessageSchema, { payloadVariant: { case: 'setConfig', value } })), Portnums.PortNum.ADMIN_APP, 'self').catch(() => undefined);
    setConfig(create(Config.ConfigSchema, { payloadVariant: { case: 'lora', value: { ...readLora, hopLimit: 5 } } }));
    setConfig(create(Config.ConfigSchema, { payloadVariant: { case: 'device', value: { ...readDevice, nodeInfoBroadcastSecs: 7200 } } }));
    // The SDK sends its queue in order, one packet every 200 ms: these answers come after the sets are handled.
    a.configs.length = 0;
    void a.device.getConfig(Admin.AdminMessage_ConfigType.LORA_CONFIG).catch(() => undefined);
    void a.device.getConfig(Admin.AdminMessage_ConfigType.DEVICE_CONFIG).catch(() => undefined);
    await waitFor('the sections after the sets', () => lora(a).length > 0 && device(a).length > 0, 10_000);
    assert.is(lora(a)[0]!.hopLimit, 5, 'the app\'s change is taken');
    assert.is(lora(a)[0]!.txPower, 14, 'still the power in use');
    assert.is(device(a)[0]!.nodeInfoBroadcastSecs, 7200);
    assert.is(device(a)[0]!.role, Role.CLIENT, 'still the role it runs');

    // The battery is back: the operator's power and role, with the app's change.
    await roof.setTxPowerCap(undefined);
    roof.setClientRole(false);
    const b = await CoreClient.connect(api);
    cleanups.unshift(() => b.close());
    assert.is(lora(b).at(-1)?.txPower, 20, 'the operator\'s transmit power is back');
    assert.is(lora(b).at(-1)?.hopLimit, 5, 'the app\'s change was taken');
    assert.is(device(b).at(-1)?.role, Role.ROUTER, 'the operator\'s role is back');
    assert.is(device(b).at(-1)?.nodeInfoBroadcastSecs, 7200);
    const after = roof.status().detail as Record<string, unknown>;
    assert.is(after.role, 'ROUTER');
    assert.is(after.configuredRole, undefined);
    assert.is(after.txPowerDbm, 20);
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
    await air.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
