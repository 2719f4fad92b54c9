/**
 * A MeshCore companion over BLE (Nordic UART service) as a ByteLink carrying the same '<'/'>' frames as
 * serial/TCP, so MeshCoreSession runs unchanged. Over BLE one GATT write is one command frame and one TX
 * notification is one response/push frame, with no 3-byte header (firmware src/helpers/esp32/SerialBLEInterface.cpp;
 * src/helpers/SerialBLECommon.h: SerialBLEFrame holds one frame of at most MAX_FRAME_SIZE): frames the session writes are
 * unframed and written to RX in order; each notification is framed with '>' for the session. A notification that
 * cannot be a frame (empty, or above MAX_FRAME_SIZE) is dropped and counted.
 */
import type { BleCharacteristic } from '../../drivers/ble/ble-characteristic.js';
import type { BleConnection } from '../../drivers/ble/ble-connection.js';
import {
  MESHCORE_MARKER_FROM_RADIO,
  MESHCORE_MARKER_TO_RADIO,
  MESHCORE_MAX_FRAME_SIZE,
  MeshCoreFrameDecoder,
  encodeMeshCoreFrame,
} from '../../firmware-protocol/framing/meshcore-frame.js';
import { BleLinkBase } from './ble-link-base.js';
import { MESHCORE_BLE } from './ble-radios.js';

export class BleMeshCoreLink extends BleLinkBase {
  private readonly decoder = new MeshCoreFrameDecoder({ marker: MESHCORE_MARKER_TO_RADIO });

  private constructor(connection: BleConnection, private readonly rx: BleCharacteristic) {
    super(connection, 'meshcore');
  }

  static async open(connection: BleConnection, options: { signal?: AbortSignal } = {}): Promise<BleMeshCoreLink> {
    const rx = await connection.characteristic(MESHCORE_BLE.service, MESHCORE_BLE.rx);
    const tx = await connection.characteristic(MESHCORE_BLE.service, MESHCORE_BLE.tx);
    const link = new BleMeshCoreLink(connection, rx);
    link.cleanups.push(await tx.subscribe((v) => link.onNotification(v), options));
    return link;
  }

  write(data: Uint8Array, options?: { signal?: AbortSignal }): Promise<void> {
    const before = this.decoder.stats.discardedBytes;
    const frames = this.decoder.push(data);
    this.stats.ignoredBytes += this.decoder.stats.discardedBytes - before;
    if (frames.length === 0) return this.idle();
    return this.enqueue(async () => {
      for (const f of frames) {
        await this.rx.write(f, { signal: options?.signal });
        this.stats.writes++;
      }
    }, options?.signal);
  }

  private onNotification(value: Uint8Array): void {
    this.stats.notifications++;
    if (value.length === 0 || value.length > MESHCORE_MAX_FRAME_SIZE) {
      this.stats.dropped++;
      return;
    }
    this.stats.values++;
    this.emitData(encodeMeshCoreFrame(value, MESHCORE_MARKER_FROM_RADIO));
  }
}
