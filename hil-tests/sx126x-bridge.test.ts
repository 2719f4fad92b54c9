/**
 * The SX126x driver over a real lattice-serial bridge MCU: set LATTICE_HIL_SX126X_BRIDGE to its serial port
 * (/dev/ttyACM0, /dev/serial/by-id/…). Optional: LATTICE_HIL_TCXO (volts), LATTICE_HIL_VARIANT (sx1262|sx1268),
 * LATTICE_HIL_DIO2_SWITCH=0, LATTICE_HIL_TRANSMIT=1 to transmit, LATTICE_HIL_FREQ_HZ.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openSerialLink } from '../drivers/serial/serial-link.js';
import { openSerialSx126x } from '../drivers/sx126x/open-serial-radio.js';
import { LatticeDefault } from '../lib/lora/lattice-presets.js';
import type { Sx126xVariant } from '../drivers/sx126x/variant.js';
import { latticeSerialCodec } from '../firmware-protocol/lattice-serial/codec.js';

const port = process.env.LATTICE_HIL_SX126X_BRIDGE;

if (!port) {
  const reason = 'LATTICE_HIL_SX126X_BRIDGE is not set (the serial port of a lattice-serial bridge MCU)';
  console.log(`SKIP sx126x bridge HIL suite: ${reason}`);
  test.skip(`sx126x bridge HIL suite (skipped: ${reason})`, () => {});
} else {
  const env = process.env;
  const opened = openSerialLink({ path: port }).then((link) =>
    openSerialSx126x({
      link,
      codec: latticeSerialCodec,
      variant: (env.LATTICE_HIL_VARIANT as Sx126xVariant) ?? 'sx1262',
      tcxoVoltage: env.LATTICE_HIL_TCXO ? Number(env.LATTICE_HIL_TCXO) : undefined,
      dio2RfSwitch: env.LATTICE_HIL_DIO2_SWITCH !== '0',
    }),
  );
  opened.catch(() => undefined);
  const mod = { ...LatticeDefault, frequencyHz: Number(env.LATTICE_HIL_FREQ_HZ ?? LatticeDefault.frequencyHz) };

  test('bridge answers HELLO and the chip initialises behind it', async () => {
    const { radio, hal } = await opened;
    await radio.start();
    assert.ok(hal.bridgeName.length > 0);
  });

  test('configure, CAD, receive for a moment', async () => {
    const { radio } = await opened;
    await radio.configure(mod);
    assert.type(await radio.channelActivity(), 'boolean');
    await radio.startReceive();
    await new Promise((r) => setTimeout(r, 500));
    await radio.standby();
  });

  test('transmit (only with LATTICE_HIL_TRANSMIT=1)', async () => {
    const { radio } = await opened;
    if (env.LATTICE_HIL_TRANSMIT !== '1') {
      console.log('SKIP sx126x bridge transmit: LATTICE_HIL_TRANSMIT is not 1');
      return;
    }
    const { airtimeMs } = await radio.transmit(new TextEncoder().encode('lattice bridge hil'));
    assert.ok(airtimeMs > 0);
  });

  test('close', async () => {
    const { radio } = await opened;
    await radio.close();
  });
}

test.run();
