/**
 * The inbound path of every advert heard (examples/companion_radio/MyMesh.h advert_paths[ADVERT_PATH_TABLE_SIZE],
 * MyMesh::onDiscoveredContact), for CMD_GET_ADVERT_PATH: one entry per 7-byte key prefix, the oldest evicted.
 */
import type { ReceivedPacket } from '../mesh/mesh-handler.js';
import { packetPathLen } from './chat-paths.js';
import type { ContactInfo } from './contacts-table.js';

/** MyMesh.h ADVERT_PATH_TABLE_SIZE. */
export const ADVERT_PATH_TABLE_SIZE = 16;

export interface AdvertPath {
  prefix: Uint8Array;
  name: string;
  recvTimestamp: number;
  pathLen: number;
  path: Uint8Array;
}

export function recordAdvertPath(paths: AdvertPath[], contact: ContactInfo, rx: ReceivedPacket, rtcNow: number): void {
  const prefix = contact.publicKey.slice(0, 7);
  let p = paths.find((x) => x.prefix.every((b, i) => b === prefix[i]));
  if (!p) {
    if (paths.length >= ADVERT_PATH_TABLE_SIZE) {
      paths.sort((a, b) => a.recvTimestamp - b.recvTimestamp);
      paths.shift();
    }
    p = { prefix, name: '', recvTimestamp: 0, pathLen: 0, path: new Uint8Array(0) };
    paths.push(p);
  }
  p.name = contact.name;
  p.recvTimestamp = rtcNow;
  p.pathLen = packetPathLen(rx.packet);
  p.path = rx.packet.path.slice();
}
