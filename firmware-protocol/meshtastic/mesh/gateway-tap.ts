/**
 * The two places an MQTT gateway meets the router (firmware src/mqtt/MQTT.cpp, called from src/mesh/Router.cpp):
 * - a packet handled as received (Router::handleReceived: after MeshModule::callModules, `mqtt->onSend(*p_encrypted,
 *   *p, p->channel)` with the copy kept before perhapsDecode), and a packet we originate (Router::send: "Only publish
 *   to MQTT if we're the original transmitter of the packet"). Our rebroadcasts pass neither: they are not uplinked.
 * - a downlinked packet handled as if received (MQTT.cpp onReceiveProto → router->enqueueReceivedMessage): the same
 *   ignore rules, dedupe, decode, modules and rebroadcast as a frame off the radio, with via_mqtt set.
 * The router tells listeners; what goes to a broker (channel switches, OK-to-MQTT, topics) is the gateway's business.
 */
import type { Mesh } from '@meshtastic/protobufs';

export interface TappedPacket {
  /** The packet as it was heard (channel hash, encrypted payload, hop fields as received), or as it went on air. */
  encrypted: Mesh.MeshPacket;
  /** The same packet after perhapsDecode: `channel` is then the channel index; still encrypted when `decoded` is false. */
  decoded: Mesh.MeshPacket;
  /** perhapsDecode succeeded (DECODE_SUCCESS); false for a packet we hold no key for (DECODE_OPAQUE). */
  ok: boolean;
  /** `received`: handled as received (radio or downlink); `originated`: ours, on its way to the radio. */
  source: 'received' | 'originated';
}

export type TapListener = (packet: TappedPacket) => void;

/** The listeners of one router; a listener that throws stops neither the others nor the router. */
export class GatewayTap {
  private readonly listeners = new Set<TapListener>();

  get active(): boolean {
    return this.listeners.size > 0;
  }

  on(listener: TapListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(packet: TappedPacket): void {
    for (const l of this.listeners) {
      try {
        l(packet);
      } catch {
        // a gateway failing must not stop the router
      }
    }
  }
}
