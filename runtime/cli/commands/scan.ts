/**
 * `lattice scan`: lists nearby Meshtastic and MeshCore radios over Bluetooth LE with their RSSI, through BlueZ on
 * the system D-Bus (DBUS_SYSTEM_BUS_ADDRESS is honoured, so under balena it reaches the host's bluetoothd). A radio
 * is recognised by the Meshtastic service UUID or the MeshCore name prefix (runtime/links/ble-radios.ts); --all
 * lists every BLE device heard. The names and addresses it prints are what `--meshtastic ble:…` and
 * `--meshcore ble:…` take.
 */
import type { BleAdvertisement } from '../../../drivers/ble/advertisement.js';
import type { Command } from '../command.js';
import { printJson } from '../config-for.js';
import { UsageError } from '../errors.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { cell, renderTable } from '../format/table.js';

const EXPECTED = new Set([
  'BleUnavailableError', 'BleAdapterNotFoundError', 'BleAdapterPoweredOffError', 'BleBusyError', 'BleTimeoutError', 'BleOperationError',
]);

export const scan: Command = {
  name: 'scan',
  summary: 'list nearby Meshtastic and MeshCore radios over Bluetooth (with RSSI)',
  description:
    'Scans with BlueZ for a few seconds and lists Meshtastic radios (by service UUID) and MeshCore companions\n' +
    '(by their "MeshCore-" name) with signal strength. Use an address or name it prints as the radio:\n' +
    '  lattice run --meshcore ble:MeshCore-Rooftop   or   --meshtastic ble:AA:BB:CC:DD:EE:FF\n' +
    'Under balena the host BlueZ is reached with DBUS_SYSTEM_BUS_ADDRESS=unix:path=/host/run/dbus/system_bus_socket.',
  json: true,
  options: {
    seconds: { type: 'string', arg: 'N', help: 'how long to scan (default 5)' },
    adapter: { type: 'string', arg: 'hciN', help: 'Bluetooth adapter (default hci0)' },
    all: { type: 'boolean', help: 'list every BLE device heard, not only radios' },
  },
  positionals: { min: 0, max: 0 },
  async run(ctx) {
    const seconds = ctx.values.seconds === undefined ? 5 : Number(ctx.values.seconds);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 120) throw new UsageError('--seconds must be a number from 0.1 to 120', 'scan');
    const adapter = (ctx.values.adapter as string | undefined) ?? 'hci0';
    if (!/^hci\d+$/.test(adapter)) throw new UsageError(`--adapter ${adapter} is not hciN`, 'scan');
    const { BleCentral } = await import('../../../drivers/ble/ble-central.js');
    const { RADIO_SCAN_FILTER, classifyRadio } = await import('../../links/ble-radios.js');
    const central = new BleCentral({ adapter, busAddress: ctx.io.env.DBUS_SYSTEM_BUS_ADDRESS });
    const stopSignal = new AbortController();
    const offSignal = ctx.io.onSignal(() => stopSignal.abort(new Error('interrupted')));
    let found: BleAdvertisement[];
    try {
      await central.start({ signal: stopSignal.signal });
      found = await central.scan({ durationMs: Math.round(seconds * 1000), signal: stopSignal.signal, ...(ctx.values.all ? {} : RADIO_SCAN_FILTER) });
    } catch (err) {
      if (err instanceof Error && EXPECTED.has(err.name)) {
        ctx.io.stderr.write(`lattice: ${err.message}\n`);
        return EXIT_FAILURE;
      }
      throw err;
    } finally {
      offSignal();
      await central.stop();
    }
    // The Nordic UART service is not MeshCore's alone: without --all, only what classifies as a radio is listed.
    const rows = found
      .map((ad) => ({ kind: classifyRadio(ad) ?? 'other', address: ad.address, name: ad.name ?? null, rssi: ad.rssi ?? null, paired: ad.paired }))
      .filter((r) => ctx.values.all || r.kind !== 'other');
    if (ctx.values.json) {
      printJson(ctx, rows);
      return EXIT_OK;
    }
    if (rows.length === 0) {
      ctx.io.stdout.write(`no ${ctx.values.all ? 'BLE devices' : 'Meshtastic or MeshCore radios'} heard in ${seconds} s on ${adapter}\n`);
      return EXIT_OK;
    }
    ctx.io.stdout.write(renderTable(
      ['KIND', 'ADDRESS', 'NAME', 'RSSI', 'PAIRED'],
      rows.map((r) => [r.kind, r.address, cell(r.name ?? '', 32), r.rssi === null ? '' : `${r.rssi} dBm`, r.paired ? 'yes' : 'no']),
    ));
    return EXIT_OK;
  },
};
