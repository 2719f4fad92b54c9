/**
 * A Meshtastic radio over BLE as a ByteLink carrying the same 0x94C3 stream frames as serial/TCP, so
 * MeshtasticSession runs unchanged (no protocol logic here). BLE carries bare protobufs
 * (firmware src/nimble/NimbleBluetooth.cpp, src/BluetoothCommon.h):
 * - each framed ToRadio the session writes is unframed and written to ToRadio (write with response, ≤ 512 bytes);
 *   bytes outside frames (the serial wake-up 0xC3 × 32) have no meaning over BLE and are dropped;
 * - when FromNum notifies, and after every ToRadio write, FromRadio is read until it returns an empty value
 *   (python ble_interface.py does the same); each FromRadio read is re-framed and handed to the session.
 *   The FromNum value is only a hint: notifications can coalesce, repeat or arrive while a drain runs, so a
 *   notification during a drain makes the drain go round once more rather than start a second reader.
 */
import type { BleCharacteristic } from '../../drivers/ble/ble-characteristic.js';
import type { BleConnection } from '../../drivers/ble/ble-connection.js';
import { MeshtasticStreamDecoder, MAX_STREAM_PAYLOAD, encodeStreamFrame } from '../../firmware-protocol/framing/meshtastic-stream.js';
import { BleLinkBase } from './ble-link-base.js';
import { MESHTASTIC_BLE } from './ble-radios.js';

export class BleMeshtasticLink extends BleLinkBase {
  private readonly decoder = new MeshtasticStreamDecoder();
  private draining = false;
  private drainAgain = false;

  private constructor(
    connection: BleConnection,
    private readonly toRadio: BleCharacteristic,
    private readonly fromRadio: BleCharacteristic,
  ) {
    super(connection, 'meshtastic');
  }

  /** Finds the Meshtastic service on a connected radio and subscribes to FromNum. */
  static async open(connection: BleConnection, options: { signal?: AbortSignal } = {}): Promise<BleMeshtasticLink> {
    const toRadio = await connection.characteristic(MESHTASTIC_BLE.service, MESHTASTIC_BLE.toRadio);
    const fromRadio = await connection.characteristic(MESHTASTIC_BLE.service, MESHTASTIC_BLE.fromRadio);
    const fromNum = await connection.characteristic(MESHTASTIC_BLE.service, MESHTASTIC_BLE.fromNum);
    const link = new BleMeshtasticLink(connection, toRadio, fromRadio);
    const unsubscribe = await fromNum.subscribe(() => {
      link.stats.notifications++;
      link.drain();
    }, options);
    link.cleanups.push(unsubscribe);
    link.drain(); // anything the radio queued before we subscribed
    return link;
  }

  write(data: Uint8Array, options?: { signal?: AbortSignal }): Promise<void> {
    // Decode now, in call order; the GATT writes follow in the same order.
    const payloads: Uint8Array[] = [];
    for (const e of this.decoder.push(data)) {
      if (e.type === 'frame') payloads.push(e.payload);
      else this.stats.ignoredBytes += e.bytes.length;
    }
    if (payloads.length === 0) return this.idle();
    return this.enqueue(async () => {
      for (const p of payloads) {
        await this.toRadio.write(p, { signal: options?.signal });
        this.stats.writes++;
      }
      this.drain();
    }, options?.signal);
  }

  private drain(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    void this.drainLoop().finally(() => (this.draining = false));
  }

  private async drainLoop(): Promise<void> {
    try {
      do {
        this.drainAgain = false;
        while (this.isOpen) {
          const value = await this.fromRadio.read();
          if (value.length === 0) break; // queue drained (STATE_SEND_PACKETS answers empty reads)
          this.stats.values++;
          if (value.length > MAX_STREAM_PAYLOAD) {
            this.stats.dropped++;
            continue;
          }
          this.emitData(encodeStreamFrame(value));
        }
      } while (this.drainAgain && this.isOpen);
    } catch (err) {
      // A failed read means the link is unusable (disconnect, lost bond); the session reconnects.
      this.fail(err as Error);
    }
  }
}
