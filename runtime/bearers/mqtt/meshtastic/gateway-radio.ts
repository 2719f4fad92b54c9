/**
 * What a Meshtastic MQTT gateway needs from its radio (a native node, runtime/bearers/meshtastic-native, gives it;
 * a companion radio that forwards its packets to us could give it too): who the node is, its channel table, the
 * router's two MQTT hooks (firmware-protocol/meshtastic/mesh/gateway-tap.ts) and what a map report says.
 */
import type { Mesh } from '@meshtastic/protobufs';
import type { TapListener } from '../../../../firmware-protocol/meshtastic/mesh/gateway-tap.js';

export interface GatewayChannel {
  index: number;
  /** As the apps show it (the preset's name for an unnamed primary): the topic's channel id. */
  name: string;
}

/** MapReport fields the node knows (mqtt.proto MapReport); enums as numbers. */
export interface MapReportFacts {
  longName: string;
  shortName: string;
  role: number;
  hwModel: number;
  firmwareVersion: string;
  region: number;
  modemPreset: number;
  hasDefaultChannel: boolean;
  /** Our own position, when the node knows one; none = no map report. */
  position?: { latitudeI: number; longitudeI: number; altitude: number };
  numOnlineLocalNodes: number;
}

/** Why a radio could not take a downlinked packet (counted as `downlink-<reason>`). */
export type DownlinkRefusal = 'radio-down' | 'encrypted-companion' | 'no-hops-left';

export interface MeshtasticGatewayRadio {
  readonly nodeNum: number;
  /** The radio hands us only decoded packets (a companion radio's phone API): the gateway needs decryptedUplink. */
  readonly decodedOnly?: boolean;
  /** Resolves once nodeNum, region and channels are known (a companion radio after its handshake); none = now. */
  whenReady?(signal?: AbortSignal): Promise<void>;
  /** Region as the firmware spells it (`EU_868`): the default topic root is `msh/<region>`. */
  readonly region: string;
  /** The enabled channel slots now. */
  channels(): GatewayChannel[];
  /** Router hooks: what is handled as received, what we originate. */
  onTapped(listener: TapListener): () => void;
  /** A downlinked packet handled as if received (via_mqtt set by the router); a refusal says why not. */
  injectReceived(packet: Mesh.MeshPacket): void | DownlinkRefusal;
  /** MQTT.cpp onReceiveProto: our own packet came back on our gateway id; an ACK to ourselves for packet `id` stops
   * its retransmissions (the firmware's implicit ACK, handled only locally). */
  implicitAck(id: number, channel: number): void;
  /** Whether the NodeDB has a User for the node (a PKI downlink between two known nodes is accepted). */
  knowsUser(num: number): boolean;
  mapReport(): MapReportFacts;
}

/** A bearer that can serve as a Meshtastic gateway's radio. */
export interface HasMeshtasticGatewayRadio {
  meshtasticGatewayRadio(): MeshtasticGatewayRadio;
}

export function hasMeshtasticGatewayRadio(x: unknown): x is HasMeshtasticGatewayRadio {
  return typeof (x as Partial<HasMeshtasticGatewayRadio>)?.meshtasticGatewayRadio === 'function';
}

/** Why a companion radio's gateway needs `decryptedUplink: true` (the config check and start say the same). */
export function companionNeedsDecrypted(gateway: string, radio: string): string {
  return `mqtt ${gateway}: ${radio} is a companion radio: its phone API hands us packets it already decrypted, never the encrypted packet as heard that the firmware uplinks, so this gateway can only uplink decrypted envelopes; set decryptedUplink: true to allow that (anyone on the broker then reads them), or use a native radio (a lora: entry with protocol meshtastic)`;
}
