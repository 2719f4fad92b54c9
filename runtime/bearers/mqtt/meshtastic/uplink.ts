/**
 * Which packets go to the broker and how (firmware src/mesh/Router.cpp handleReceived, Router::send and
 * src/mqtt/MQTT.cpp onSend, 2.7): a pure decision over one tapped packet, so every rule is tested alone.
 * - Received: only a packet we could decode, or one we hold no key for that is a DM between two other nodes
 *   (channel hash 0, marked pki_encrypted) while the encrypted packet is uplinked; never one from us.
 * - Never a packet that came from MQTT (via_mqtt); only when some channel has uplink on.
 * - Another node's decoded packet goes to a public broker only with OK_TO_MQTT in Data.bitfield; range test and
 *   detection sensor packets never go to the default server.
 * - A channel packet needs its channel's uplink; a PKI DM goes to channel id `PKI`.
 * - The packet uplinked is the encrypted one as heard (or as sent), unless `decryptedUplink` (mqtt.encryption_enabled
 *   false), which sends the decoded one and never an undecoded PKI DM.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { Mqtt, Portnums, type Mesh } from '@meshtastic/protobufs';
import type { TappedPacket } from '../../../../firmware-protocol/meshtastic/mesh/gateway-tap.js';
import type { GatewayChannel } from './gateway-radio.js';

/** Data.bitfield bit 0 (mesh.proto, Router.h BITFIELD_OK_TO_MQTT_MASK). */
const BITFIELD_OK_TO_MQTT_MASK = 1;
const BROADCAST = 0xffffffff;

export interface UplinkContext {
  nodeNum: number;
  /** `!%08x` of the node number. */
  gatewayId: string;
  root: string;
  channels: GatewayChannel[];
  uplinkFor(channelName: string): boolean;
  decryptedUplink: boolean;
  /** The broker is on a private address (MQTT.cpp isPrivateIpAddress): OK_TO_MQTT is not required. */
  privateBroker: boolean;
  /** The broker is the firmware's default server (MQTT.cpp isDefaultServer). */
  defaultServer: boolean;
}

export type UplinkResult = { topic: string; payload: Uint8Array; channelId: string } | { drop: UplinkDrop };
export type UplinkDrop = 'undecodable' | 'from-us' | 'via-mqtt' | 'channel-off' | 'not-ok-to-mqtt' | 'port-filtered' | 'pki-undecoded';

export function uplinkOf(t: TappedPacket, ctx: UplinkContext): UplinkResult {
  const encrypted = t.encrypted;
  const decoded = t.decoded;
  if (t.source === 'received') {
    if (decoded.from === ctx.nodeNum) return { drop: 'from-us' };
    // Router.cpp: "Mark as pki_encrypted if it is not yet decoded and MQTT encryption is also enabled, hash matches
    // and it's a DM not to us (because we would be able to decrypt it)"
    if (!t.ok && !ctx.decryptedUplink && encrypted.channel === 0 && encrypted.to !== BROADCAST && encrypted.to !== ctx.nodeNum) {
      encrypted.pkiEncrypted = true;
    }
    if (!t.ok && !encrypted.pkiEncrypted) return { drop: 'undecodable' };
  }
  if (encrypted.viaMqtt) return { drop: 'via-mqtt' }; // "Don't send messages that came from MQTT back into MQTT"
  if (!ctx.channels.some((c) => ctx.uplinkFor(c.name))) return { drop: 'channel-off' };
  const data = t.ok && decoded.payloadVariant.case === 'decoded' ? decoded.payloadVariant.value : undefined;
  if (data) {
    const okToMqtt = data.bitfield !== undefined && (data.bitfield & BITFIELD_OK_TO_MQTT_MASK) !== 0;
    if (decoded.from !== ctx.nodeNum && !ctx.privateBroker && !okToMqtt) return { drop: 'not-ok-to-mqtt' }; // "DontMqttMeBro"
    if (ctx.defaultServer && (data.portnum === Portnums.PortNum.RANGE_TEST_APP || data.portnum === Portnums.PortNum.DETECTION_SENSOR_APP)) return { drop: 'port-filtered' };
  }
  const isPki = encrypted.pkiEncrypted || (t.ok && decoded.pkiEncrypted);
  const channel = t.ok ? ctx.channels.find((c) => c.index === decoded.channel) : undefined;
  if (!isPki && !(channel && ctx.uplinkFor(channel.name))) return { drop: 'channel-off' };
  const channelId = isPki ? 'PKI' : channel!.name;
  let packet: Mesh.MeshPacket;
  if (!ctx.decryptedUplink) packet = encrypted;
  else if (data) packet = decoded;
  else return { drop: 'pki-undecoded' }; // "Don't upload a still-encrypted PKI packet if not encryption_enabled"
  const envelope = create(Mqtt.ServiceEnvelopeSchema, { packet, channelId, gatewayId: ctx.gatewayId });
  return { topic: `${ctx.root}/2/e/${channelId}/${ctx.gatewayId}`, payload: toBinary(Mqtt.ServiceEnvelopeSchema, envelope), channelId };
}

/** MQTT.cpp isPrivateIpAddress over the broker's host, when it is an IPv4 literal. */
export function isPrivateBroker(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (!m) return false;
  const [a, b, c, d] = m.slice(1).map(Number) as [number, number, number, number];
  return a === 10 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127) || (a === 127 && b === 0 && c === 0 && d === 1);
}

/** MQTT.cpp isDefaultServer. */
export function isDefaultServer(url: string): boolean {
  try {
    return new URL(url).hostname === 'mqtt.meshtastic.org';
  } catch {
    return false;
  }
}
