/**
 * The frames the companion device builds from what the mesh received (examples/companion_radio/MyMesh.cpp
 * queueMessage, onChannelMessageRecv, onChannelDataRecv, onControlDataRecv, onRawDataRecv, onTraceRecv, logRxRaw):
 * pure builders; undefined where the firmware drops what does not fit a frame (MAX_FRAME_SIZE).
 */
import { MESHCORE_MAX_FRAME_SIZE } from '../../framing/meshcore-frame.js';
import { FrameWriter } from '../bytes.js';
import { PUSH, RESP } from '../codes.js';
import { encodeMessageFrameBytes } from '../message-frames.js';
import type { ReceivedPacket } from '../mesh/mesh-handler.js';
import { TXT_TYPE } from '../ota/text-payload.js';
import { isFloodRx, packetPathLen } from './chat-paths.js';

/** SNR × 4 as the frames' signed byte. */
export function snr4(rx: ReceivedPacket): number {
  return Math.trunc(rx.snrDb * 4) & 0xff;
}

/** The message frames' path_len: the hops it came over by flood, 0xFF for direct. */
function rxPathLen(rx: ReceivedPacket): number {
  return isFloodRx(rx) ? packetPathLen(rx.packet) : 0xff;
}

/** queueMessage: CONTACT_MSG_RECV (legacy) or CONTACT_MSG_RECV_V3 (with SNR); the text cut to fit a frame.
 * `extra`: the author prefix of a SIGNED_PLAIN text (room-server posts), else empty. */
export function contactMessageFrame(v3: boolean, senderKey: Uint8Array, txtType: number, rx: ReceivedPacket, ts: number, extra: Uint8Array, text: Uint8Array): Uint8Array {
  return encodeMessageFrameBytes({
    kind: 'contact', pubKeyPrefix: senderKey.subarray(0, 6), pathLen: rxPathLen(rx), txtType, senderTimestamp: ts,
    authorPrefix: extra.length > 0 ? extra : undefined, snr: rx.snrDb,
  }, text, v3);
}

/** onChannelMessageRecv: CHANNEL_MSG_RECV(_V3) of channel index idx. */
export function channelMessageFrame(v3: boolean, idx: number, rx: ReceivedPacket, ts: number, text: Uint8Array): Uint8Array {
  return encodeMessageFrameBytes({ kind: 'channel', channelIdx: idx, pathLen: rxPathLen(rx), txtType: TXT_TYPE.PLAIN, senderTimestamp: ts, snr: rx.snrDb }, text, v3);
}

/** onChannelDataRecv: CHANNEL_DATA_RECV; undefined when the data does not fit a frame. */
export function channelDataFrame(idx: number, rx: ReceivedPacket, dataType: number, data: Uint8Array): Uint8Array | undefined {
  if (data.length > MESHCORE_MAX_FRAME_SIZE - 9) return undefined;
  return new FrameWriter().u8(RESP.CHANNEL_DATA_RECV).u8(snr4(rx)).u8(0).u8(0).u8(idx & 0xff).u8(rxPathLen(rx))
    .u16(dataType).u8(data.length).bytes(data).done();
}

export function controlDataFrame(rx: ReceivedPacket): Uint8Array | undefined {
  const p = rx.packet;
  if (p.payload.length + 4 > MESHCORE_MAX_FRAME_SIZE) return undefined;
  return new FrameWriter().u8(PUSH.CONTROL_DATA).u8(snr4(rx)).u8(rx.rssiDbm & 0xff).u8(packetPathLen(p)).bytes(p.payload).done();
}

export function rawDataFrame(rx: ReceivedPacket): Uint8Array | undefined {
  const p = rx.packet;
  if (p.payload.length + 4 > MESHCORE_MAX_FRAME_SIZE) return undefined;
  return new FrameWriter().u8(PUSH.RAW_DATA).u8(snr4(rx)).u8(rx.rssiDbm & 0xff).u8(0xff).bytes(p.payload).done();
}

export function traceDataFrame(rx: ReceivedPacket, t: { tag: number; authCode: number; flags: number; snrs: Int8Array; hashes: Uint8Array }): Uint8Array | undefined {
  const pathSz = t.flags & 3;
  const n = t.hashes.length;
  if (12 + n + (n >> pathSz) + 1 > MESHCORE_MAX_FRAME_SIZE) return undefined;
  const snrs = new Uint8Array(t.snrs.buffer, t.snrs.byteOffset, t.snrs.byteLength).subarray(0, n >> pathSz);
  return new FrameWriter().u8(PUSH.TRACE_DATA).u8(0).u8(n).u8(t.flags).u32(t.tag).u32(t.authCode).bytes(t.hashes)
    .bytes(snrs).u8(snr4(rx)).done();
}

/** logRxRaw: PUSH_CODE_LOG_RX_DATA for every frame heard (ACK and PATH included), if it fits a frame. */
export function logRxFrame(raw: Uint8Array, snrDb: number, rssiDbm: number): Uint8Array | undefined {
  if (raw.length + 3 > MESHCORE_MAX_FRAME_SIZE) return undefined;
  return new FrameWriter().u8(PUSH.LOG_RX_DATA).u8(Math.trunc(snrDb * 4) & 0xff).u8(Math.trunc(rssiDbm) & 0xff).bytes(raw).done();
}
