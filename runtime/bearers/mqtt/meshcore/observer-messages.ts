/**
 * The JSON the MeshCore observers publish (Cisien/meshcoretomqtt:bridge/message_parser.py and mqtt_publish.py, the
 * layout the community brokers, LetsMesh and the MeshCore analyser ingest):
 * - `meshcore/<IATA>/<PUBKEY>/packets`: one per frame heard: origin, origin_id, timestamp, type PACKET, direction rx,
 *   time, date, len, packet_type, route (F flood, D direct), payload_len, raw (hex), SNR, RSSI, hash;
 * - `meshcore/<IATA>/<PUBKEY>/status`: online/offline with origin, origin_id, timestamp, client_version, radio.
 * Numbers are strings, as the serial log they were parsed from gives them. `origin_id` is the public key in capitals:
 * the broker refuses a message whose origin_id is not the authenticated key.
 */
import { decodePacket, isDirect, packetHash } from '../../../../firmware-protocol/meshcore/ota/packet.js';
import type { RawPacket } from './raw-packet-source.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** Local time as Python's datetime.now().isoformat() prints it (no zone). */
function isoLocal(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}000`;
}

export interface Origin {
  name: string;
  /** Public key, hex, capitals. */
  id: string;
}

/** The packets message, or undefined for a frame that does not parse as a MeshCore packet (counted by the caller). */
export function packetMessage(p: RawPacket, origin: Origin): Record<string, string> | undefined {
  let packet;
  try {
    packet = decodePacket(p.raw);
  } catch {
    return undefined;
  }
  const d = new Date(p.at);
  return {
    origin: origin.name,
    origin_id: origin.id,
    timestamp: isoLocal(d),
    type: 'PACKET',
    direction: 'rx',
    time: `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
    date: `${d.getDate()}/${d.getMonth() + 1}/${d.getFullYear()}`,
    len: String(p.raw.length),
    packet_type: String(packet.payloadType),
    route: isDirect(packet) ? 'D' : 'F',
    payload_len: String(packet.payload.length),
    raw: Buffer.from(p.raw).toString('hex').toUpperCase(),
    SNR: String(Math.round(p.snrDb * 4) / 4),
    RSSI: String(Math.round(p.rssiDbm)),
    hash: Buffer.from(packetHash(packet)).toString('hex').toUpperCase(),
  };
}

export function statusMessage(status: 'online' | 'offline', origin: Origin, at: number, o: { clientVersion: string; radio?: string }): Record<string, string> {
  return {
    status,
    timestamp: isoLocal(new Date(at)),
    origin: origin.name,
    origin_id: origin.id,
    client_version: o.clientVersion,
    ...(o.radio ? { radio: o.radio } : {}),
  };
}
