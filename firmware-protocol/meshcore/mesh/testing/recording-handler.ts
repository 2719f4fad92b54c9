/**
 * Test support: a small MeshHandler that records every callback and answers the lookups from fixed tables
 * (peers and channels by hash byte), with forwarding on or off. The mesh tests use it; the parts built on the mesh
 * may use it as a neighbour that only listens or relays.
 */
import type { McPacket } from '../../ota/packet.js';
import type { GroupChannelKey, McPath, MeshHandler, PeerMatch, ReceivedPacket } from '../mesh-handler.js';

export interface RecordingHandlerOptions {
  /** allowPacketForward answer (default false, as Mesh.cpp). */
  forward?: boolean;
  peers?: PeerMatch[];
  channels?: GroupChannelKey[];
  /** onPeerPathRecv answer: send the reciprocal path (default true). */
  reciprocatePath?: boolean;
  airtimeBudgetFactor?: number;
  /** Fixed flood / direct retransmit delays (default: the mesh's own). */
  floodDelayMs?: number;
  directDelayMs?: number;
}

export interface RecordingHandler extends MeshHandler {
  rawFrames: Uint8Array[];
  malformed: { raw: Uint8Array; reason: string }[];
  peerData: { rx: ReceivedPacket; type: number; peer: PeerMatch; data: Uint8Array }[];
  paths: { rx: ReceivedPacket; peer: PeerMatch; path: McPath; extraType: number; extra: Uint8Array }[];
  traces: { rx: ReceivedPacket; trace: { tag: number; authCode: number; flags: number; snrs: Int8Array; hashes: Uint8Array } }[];
  adverts: { rx: ReceivedPacket; publicKey: Uint8Array; timestamp: number; appData: Uint8Array }[];
  anon: { rx: ReceivedPacket; secret: Uint8Array; sender: Uint8Array; data: Uint8Array }[];
  group: { rx: ReceivedPacket; type: number; channel: GroupChannelKey; data: Uint8Array }[];
  acks: number[];
  control: ReceivedPacket[];
  rawData: ReceivedPacket[];
  /** Packets asked about in allowPacketForward. */
  forwardAsked: McPacket[];
}

export function recordingHandler(options: RecordingHandlerOptions = {}): RecordingHandler {
  const h: RecordingHandler = {
    rawFrames: [],
    malformed: [],
    peerData: [],
    paths: [],
    traces: [],
    adverts: [],
    anon: [],
    group: [],
    acks: [],
    control: [],
    rawData: [],
    forwardAsked: [],
    logRxRaw: (raw) => void h.rawFrames.push(raw),
    onMalformed: (raw, reason) => void h.malformed.push({ raw, reason }),
    allowPacketForward(p) {
      h.forwardAsked.push(p);
      return options.forward ?? false;
    },
    searchPeersByHash: (hash) => (options.peers ?? []).filter((p) => p.publicKey[0] === hash),
    searchChannelsByHash: (hash) => (options.channels ?? []).filter((c) => c.hash === hash),
    onPeerDataRecv: (rx, type, peer, data) => void h.peerData.push({ rx, type, peer, data }),
    onPeerPathRecv(rx, peer, path, extraType, extra) {
      h.paths.push({ rx, peer, path, extraType, extra });
      return options.reciprocatePath ?? true;
    },
    onTraceRecv: (rx, trace) => void h.traces.push({ rx, trace }),
    onAdvertRecv: (rx, a) => void h.adverts.push({ rx, ...a }),
    onAnonDataRecv: (rx, secret, sender, data) => void h.anon.push({ rx, secret, sender, data }),
    onGroupDataRecv: (rx, type, channel, data) => void h.group.push({ rx, type, channel, data }),
    onAckRecv: (_rx, crc) => void h.acks.push(crc),
    onControlDataRecv: (rx) => void h.control.push(rx),
    onRawDataRecv: (rx) => void h.rawData.push(rx),
  };
  if (options.airtimeBudgetFactor !== undefined) h.airtimeBudgetFactor = () => options.airtimeBudgetFactor!;
  if (options.floodDelayMs !== undefined) h.retransmitDelayMs = () => options.floodDelayMs!;
  if (options.directDelayMs !== undefined) h.directRetransmitDelayMs = () => options.directDelayMs!;
  return h;
}
