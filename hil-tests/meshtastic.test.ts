/**
 * The Meshtastic session contract suite against a real radio: set LATTICE_HIL_MESHTASTIC_PORT to a serial path
 * (/dev/ttyUSB0, /dev/serial/by-id/…) or host[:4403]. Tests that transmit on the air run only with
 * LATTICE_HIL_MESHTASTIC_TRANSMIT=1 (channel index in LATTICE_HIL_MESHTASTIC_CHANNEL, default 0).
 */
import { test } from 'uvu';
import { registerSessionSuite } from '../firmware-protocol/meshtastic/testing/session-suite.js';
import { meshtasticOpener } from '../runtime/bearers/meshtastic/device-opener.js';

const port = process.env.LATTICE_HIL_MESHTASTIC_PORT;

if (!port) {
  const reason = 'LATTICE_HIL_MESHTASTIC_PORT is not set (name a Meshtastic radio: /dev/ttyUSB0 or host:4403)';
  console.log(`SKIP meshtastic HIL suite: ${reason}`);
  test.skip(`meshtastic HIL suite (skipped: ${reason})`, () => {});
} else {
  registerSessionSuite(test, {
    open: () => meshtasticOpener(port)(),
    transmit: process.env.LATTICE_HIL_MESHTASTIC_TRANSMIT === '1',
    channel: Number(process.env.LATTICE_HIL_MESHTASTIC_CHANNEL ?? 0),
    handshakeTimeoutMs: 60_000,
  });
}

test.run();
