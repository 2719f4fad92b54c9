/** Types of the Meshtastic client session (session.ts): its events, options and what it reports. */
import type { ByteLink } from '../framing/byte-link.js';
import type { Portnums } from '@meshtastic/protobufs';
import type { DeliveryUpdate } from './delivery-tracker.js';
import type { MeshPacket } from './messages.js';
import type { NodeChange } from './node-db.js';
import type { Clock } from '../../lib/clock/clock.js';

export type SessionState = 'idle' | 'configuring' | 'ready' | 'closed';

export interface ChannelInfo {
  index: number;
  name: string;
  role: 'PRIMARY' | 'SECONDARY';
}

export interface DeviceInfo {
  myNodeNum: number;
  nodeId: string;
  longName?: string;
  shortName?: string;
  rebootCount: number;
  firmwareVersion?: string;
  hwModel?: string;
  role?: string;
  region?: string;
  modemPreset?: string;
  hopLimit: number;
  /** Enabled channels only. */
  channels: ChannelInfo[];
  nodeCount: number;
}

export interface ReceivedMessage {
  from: number;
  to: number;
  channel: number;
  /** To our own node (a DM), not a channel broadcast. */
  direct: boolean;
  portnum: number;
  text?: string;
  payload: Uint8Array;
  id: number;
  rxTime: number;
  rxSnr?: number;
  rxRssi?: number;
  hopStart?: number;
  hopLimit?: number;
  pkiEncrypted: boolean;
  /** When the frame carrying it was decoded (performance.now()). */
  decodedAt: number;
}

export interface SessionStats {
  framesIn: number;
  framesOut: number;
  decodeErrors: number;
  logBytes: number;
  discardedBytes: number;
  rateLimitWaits: number;
  rateLimitRejected: number;
  handshakes: number;
}

export interface SessionEvents {
  ready: (info: DeviceInfo) => void;
  packet: (packet: MeshPacket) => void;
  message: (message: ReceivedMessage) => void;
  node: (change: NodeChange) => void;
  queueStatus: (qs: { free: number; maxlen: number; res: number; meshPacketId: number }) => void;
  delivery: (update: DeliveryUpdate) => void;
  /** One line of the firmware's text debug log (bytes outside frames). */
  log: (line: string) => void;
  notification: (message: string) => void;
  rebooted: () => void;
  closed: (error?: Error) => void;
  /** A listener threw, or a frame could not be decoded; informational. */
  error: (error: Error) => void;
}

export interface SessionOptions {
  link: ByteLink;
  handshakeTimeoutMs?: number;
  /** Default 60 s: well inside the firmware's 15-minute idle timeout, and the app's own cadence. */
  heartbeatMs?: number;
  /** Default 2100 ms: the firmware refuses texts < 2000 ms apart, plus margin for transfer jitter. */
  textIntervalMs?: number;
  queueStatusTimeoutMs?: number;
  barrierTimeoutMs?: number;
  /** Overrides the radio's configured hop limit for our packets. */
  hopLimit?: number;
  random?: () => number;
  /** Paces (text interval, wake-up) and the heartbeat run on this clock (default the system clock). */
  clock?: Clock;
  /** Reply deadlines (handshake, QueueStatus, barrier) run on this one; default `clock`. A test in virtual time
   * gives one clock for both; a test over real links skips the paces (lib/testing/skip-clock.ts) and keeps real
   * deadlines here. */
  timeouts?: Clock;
  /** Reads the time for the text pacing (default `clock.now()` when a clock is given, else performance.now()). */
  now?: () => number;
}

export interface SendTextOptions {
  /** Node number for a DM, or 'broadcast'. */
  to: number | 'broadcast';
  /** Channel index for broadcasts (DMs go PKI-encrypted on channel 0 regardless). */
  channel?: number;
  text: string;
  wantAck?: boolean;
  hopLimit?: number;
  replyId?: number;
  /** Fixed packet id (deterministic ids let mesh nodes drop a resend as a duplicate); retries derive new ones. */
  id?: number;
  signal?: AbortSignal;
}

export interface SendDataOptions extends Omit<SendTextOptions, 'text'> {
  portnum: Portnums.PortNum;
  payload: Uint8Array;
}
