/**
 * TextMessageModule (firmware 2.7.26 src/modules/TextMessageModule.{h,cpp}): for routing, it is a rolling list of the
 * last 50 text packet ids it handled (TEXT_MESSAGE_APP, DETECTION_SENSOR_APP, ALERT_APP: MeshService::isTextPayload;
 * broadcasts and packets to us, including what our clients broadcast). FloodingRouter::shouldFilterReceived asks it
 * (`textMessageModule->recentlySeen(p->id)`) when the packet history has forgotten a broadcast, so a late copy of a
 * text is still a dupe: not delivered twice, not relayed again. It matches on the id alone, as the firmware does.
 * The rest of the module (screen, message store, wake) has no routing effect.
 */
import type { Mesh } from '@meshtastic/protobufs';
import { Portnums } from '@meshtastic/protobufs';
import type { MeshModule } from '../mesh-module.js';

/** TextMessageModule.h TEXT_PACKET_LIST_SIZE. */
export const TEXT_PACKET_LIST_SIZE = 50;

const TEXT_PORTS = new Set<number>([Portnums.PortNum.TEXT_MESSAGE_APP, Portnums.PortNum.DETECTION_SENSOR_APP, Portnums.PortNum.ALERT_APP]);

export class TextMessageModule implements MeshModule {
  readonly name = 'text';
  readonly portnum = Portnums.PortNum.TEXT_MESSAGE_APP;
  readonly promiscuous = false;
  private readonly ids = new Array<number>(TEXT_PACKET_LIST_SIZE).fill(0);
  private next = 0;

  /** MeshService::isTextPayload (range test off). */
  wantPacket(p: Mesh.MeshPacket): boolean {
    return p.payloadVariant.case === 'decoded' && TEXT_PORTS.has(p.payloadVariant.value.portnum);
  }

  handle(p: Mesh.MeshPacket): void {
    this.ids[this.next] = p.id >>> 0;
    this.next = (this.next + 1) % TEXT_PACKET_LIST_SIZE;
  }

  recentlySeen(id: number): boolean {
    return id !== 0 && this.ids.includes(id >>> 0);
  }
}
