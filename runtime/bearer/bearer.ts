/**
 * Bearer: one way to put a frame on the wire (LoRa, BLE, a companion radio, IP, MQTT).
 *
 * The router asks every bearer "can you reach this peer?" and sends on all that say yes at once (bearers race;
 * receivers drop duplicates by bundle id). A sync bearer's `accepted` marks the bundle delivered to that hop, so
 * the sender gives up custody on it: a bearer that can carry an acknowledgement (IP, LoRa unicast) answers
 * `accepted` for a bundle frame only once the next hop acknowledged it, and the next hop acknowledges only once
 * its router settled the frame as durable (`InFrame.settle`: 'stored' or 'duplicate'). Bytes in a kernel buffer
 * or on the air are not custody: a hop that dies or freezes before its vault flushed has nothing. Where no
 * acknowledgement exists (LoRa broadcast, a peer too old to acknowledge) `accepted` means the frame went out, and
 * custody retries and delivery blooms are the only recovery. An async bearer (MQTT, internet backhaul) answers
 * `accepted` when its broker/queue took the frame, and the router waits for the recipient's delivery bloom before
 * calling it delivered.
 *
 * Retries are idempotent: a copy the next hop already holds is settled 'duplicate' (acknowledged again), never
 * stored twice.
 *
 * testing/bearer-suite.ts checks every promise written here on every bearer and fake.
 */
import type { Bundle } from '../bundle/bundle.js';

/**
 * Who a frame goes to or comes from.
 * - a Lattice relay: its node id as 64 lowercase hex characters (the Ed25519 public key);
 * - a node of a foreign mesh: `mt:!a1b2c3d4` (Meshtastic node number), `mc:<64 hex public key>` (MeshCore contact);
 * - a foreign channel: `mt:ch:<index>` (Meshtastic channel index), `mc:ch:<index>` (MeshCore channel index).
 */
export type PeerId = string;

/** The peer id meaning "everyone this bearer can hear" (broadcast/flood on this bearer). */
export const BROADCAST: PeerId = '*';

export type FrameKind = 'bundle' | 'bloom' | 'control';

/** A frame the router hands to a bearer. `bytes` is the Lattice wire encoding (see runtime/wire/frame-codec.ts);
 * `bundle` is the decoded bundle so gateways to foreign meshes (Meshtastic, MeshCore) can re-send its text. */
export interface OutFrame {
  /** Next hop: a Lattice node id, a foreign address, or BROADCAST. */
  peer: PeerId;
  kind: FrameKind;
  bytes: Uint8Array;
  bundle?: Bundle;
}

/**
 * What became of a received frame, told back to the bearer that carried it (`InFrame.settle`):
 * - `stored`: a new bundle, now durable in the vault (flushed);
 * - `duplicate`: a bundle this relay already holds durably (a retry, a flood echo, a copy over another bearer);
 * - `handled`: not a bundle (a delivery bloom): read and acted on, there is nothing to keep;
 * - `refused`: a bundle or frame this relay will never store (malformed, loop, expired, bad signature): sending
 *   the same bytes again changes nothing;
 * - `not-stored`: this relay could not store it now (stopping, store full, vault error): the sender keeps custody
 *   and tries again later.
 * Only `stored`, `duplicate` and `handled` may be acknowledged to the sender as received.
 */
export type FrameFate = 'stored' | 'duplicate' | 'handled' | 'refused' | 'not-stored';

/** A frame a bearer received from a Lattice peer, still encoded. The router decodes and verifies it. */
export interface InFrame {
  bearer: string;
  /** The link-level sender when the bearer knows it (a Lattice node id), else undefined. */
  from?: PeerId;
  bytes: Uint8Array;
  /** For a bundle frame a bearer had to decode anyway (the LoRa bearer rebuilds its compact form): that bundle,
   * exactly what `bytes` decodes to and within the codec's limits, so the router does not decode it again. The
   * router still checks its signature and rules. */
  bundle?: Bundle;
  /** Link quality where the bearer has it (LoRa, BLE). */
  rssi?: number;
  snr?: number;
  /**
   * Set by a bearer that acknowledges frames to their sender. The router calls it once it knows the frame's fate:
   * for a bundle, after the vault flushed it ('stored') or confirmed a durable copy ('duplicate'), or once it is
   * refused or could not be stored; for other frames as soon as they are handled. Called at most once (a bearer
   * ignores later calls); a frame whose router never calls it is never acknowledged (the sender's acknowledgement
   * times out and it keeps custody). Must not throw.
   */
  settle?(fate: FrameFate): void;
}

/** A message a gateway received from a foreign mesh (Meshtastic, MeshCore). The router wraps it in a bundle signed
 * by this relay, with `origin` naming the foreign sender. */
export interface ForeignMessage {
  bearer: string;
  /** Foreign sender address, e.g. `mt:!a1b2c3d4` or `mc:<hex pubkey>`. */
  from: PeerId;
  /** Human name the gateway knows for the sender (NodeInfo long name, MeshCore advert name). */
  fromName?: string;
  /** Where it was sent on the foreign mesh: a channel (`mt:ch:0`, `mc:ch:0`) or the relay's own radio (a DM to us). */
  to: PeerId;
  /** True when it was a direct message to this relay's radio. */
  direct: boolean;
  text?: string;
  data?: Uint8Array;
  /** Foreign packet id where the mesh has one (used for duplicate suppression). */
  packetId?: number;
  receivedAt: number;
  rssi?: number;
  snr?: number;
}

export type SendResult = 'accepted' | 'unreachable';

export interface PeerEvent {
  bearer: string;
  peer: PeerId;
  up: boolean;
  /** Human-readable name when known. */
  name?: string;
}

export interface BearerStatus {
  name: string;
  kind: string;
  mode: 'sync' | 'async';
  /** 'up' when the bearer can carry frames now. */
  state: 'starting' | 'up' | 'down' | 'stopped';
  peers: PeerId[];
  /** Bearer-specific details (radio firmware, channels, queue depth, broker...). */
  detail?: Record<string, unknown>;
}

/**
 * A bearer's verdict on who sent a bundle it delivered, decided after the frame (the LoRa v2 bearer's delayed key
 * disclosure, v2/sender-auth.ts): the router records it on the stored bundle (a `sender-auth` trace event), which the
 * inbox entry's `senderAuth` reads.
 */
export interface SenderAuthEvent {
  bearer: string;
  /** Bundle id, 64 hex. */
  id: string;
  /** verified | forged | too-late | no-anchor | expired (v2/sender-auth.ts). */
  result: string;
}

export interface BearerEvents {
  frame: (frame: InFrame) => void;
  foreign: (message: ForeignMessage) => void;
  peer: (event: PeerEvent) => void;
  senderAuth: (event: SenderAuthEvent) => void;
}

export interface Bearer {
  /** Unique within the daemon: `ip`, `mqtt`, `lora0`, `meshtastic0`... */
  readonly name: string;
  /** `sync`: accepted means the next hop has it (durably, where the bearer can carry an acknowledgement); `async`:
   * only a delivery bloom proves delivery. */
  readonly mode: 'sync' | 'async';
  /** Starts I/O. The constructor does none. */
  start(): Promise<void>;
  /** Undoes everything start() did; pending sends reject with an AbortError-named error. */
  stop(): Promise<void>;
  /** Whether a frame for this peer (or BROADCAST) could go out on this bearer now. Cheap; no I/O. */
  canReach(peer: PeerId): boolean;
  /**
   * Puts one frame on the wire. Resolves `accepted` or `unreachable`; rejects on abort (an AbortError-named error),
   * on a bearer bug, or with the bearer's own typed error for a fault it can name (the LoRa bearer: LoraTransmitError,
   * DutyCycleExceededError, ChannelBusyError). The router treats any rejection as `unreachable` for that attempt: the
   * bundle stays queued and is retried.
   */
  send(frame: OutFrame, options?: { signal?: AbortSignal }): Promise<SendResult>;
  /** Registers a listener; returns a function that removes it. Listener errors never reach the bearer. */
  on<E extends keyof BearerEvents>(event: E, listener: BearerEvents[E]): () => void;
  status(): BearerStatus;
}
