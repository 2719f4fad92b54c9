/**
 * The Meshtastic session suite and the MeshCore gateway suite over Bluetooth LE against real radios, through the
 * host's BlueZ (DBUS_SYSTEM_BUS_ADDRESS is honoured, e.g. the balena host socket):
 *   LATTICE_HIL_BLE_MESHTASTIC=AA:BB:CC:DD:EE:FF   (or an advertised name, or a full `ble:…?pin=…` spec)
 *   LATTICE_HIL_BLE_MESHCORE=MeshCore-Rooftop       (PIN: `?pin=NNNNNN` in the spec, default 123456)
 * Transmitting tests run only with LATTICE_HIL_MESHTASTIC_TRANSMIT=1 / LATTICE_HIL_MESHCORE_CHANNEL set, as in the
 * serial/TCP HIL files. Without the variables the file prints SKIP and skips.
 */
import { suite, test } from 'uvu';
import { registerSessionSuite } from '../firmware-protocol/meshtastic/testing/session-suite.js';
import { meshCoreOpener } from '../runtime/bearers/meshcore/device-opener.js';
import { meshCoreGatewaySuite } from '../runtime/bearers/meshcore/testing/gateway-suite.js';
import { meshtasticOpener } from '../runtime/bearers/meshtastic/device-opener.js';

const mt = process.env.LATTICE_HIL_BLE_MESHTASTIC;
const mc = process.env.LATTICE_HIL_BLE_MESHCORE;
const asSpec = (v: string) => (/^ble:/i.test(v) ? v : `ble:${v}`);
// Real radios: scanning and the first bonding take longer than the mock.
const ble = { scanTimeoutMs: 30_000, connectTimeoutMs: 30_000 };

if (mt) {
  const s = suite(`meshtastic HIL over BLE ${mt}`);
  registerSessionSuite(s, {
    open: () => meshtasticOpener(asSpec(mt), { ble })(),
    transmit: process.env.LATTICE_HIL_MESHTASTIC_TRANSMIT === '1',
    channel: Number(process.env.LATTICE_HIL_MESHTASTIC_CHANNEL ?? 0),
    handshakeTimeoutMs: 90_000,
  });
  s.run();
}

if (mc) {
  const channel = process.env.LATTICE_HIL_MESHCORE_CHANNEL;
  meshCoreGatewaySuite(`meshcore HIL over BLE ${mc}`, async () => ({
    open: meshCoreOpener(asSpec(mc), { ble }),
    channelIndex: channel === undefined ? undefined : Number(channel),
    contactHex: process.env.LATTICE_HIL_MESHCORE_CONTACT?.toLowerCase(),
    stop: async () => undefined,
  })).run();
}

if (!mt && !mc) {
  const reason = 'LATTICE_HIL_BLE_MESHTASTIC / LATTICE_HIL_BLE_MESHCORE are not set (name a radio by address or advertised name)';
  console.log(`SKIP ble HIL suites: ${reason}`);
  test.skip(`BLE radios (skipped: ${reason})`, () => undefined);
  test.run();
}
