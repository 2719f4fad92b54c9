/**
 * Bearer: one way to put a frame on the wire (LoRa, BLE, a companion radio, IP, MQTT).
 *
 * The router asks every bearer "can you reach this peer?" and sends on all that say yes at once (bearers race;
 * receivers drop duplicates by bundle id). A sync bearer answers `accepted` only once the frame is really on its
 * way (LoRa TxDone, BLE write acknowledged, a TCP write flushed to a live peer) and that marks the bundle
 * delivered to that hop; an async bearer (MQTT, internet backhaul) answers `accepted` when its broker/queue took the
 * frame, and the router waits for the recipient's delivery bloom before calling it delivered.
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

/** A frame a bearer received from a Lattice peer, still encoded. The router decodes and verifies it. */
export interface InFrame {
  bearer: string;
  /** The link-level sender when the bearer knows it (a Lattice node id), else undefined. */
  from?: PeerId;
  bytes: Uint8Array;
  /** Link quality where the bearer has it (LoRa, BLE). */
  rssi?: number;
  snr?: number;
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

export interface BearerEvents {
  frame: (frame: InFrame) => void;
  foreign: (message: ForeignMessage) => void;
  peer: (event: PeerEvent) => void;
}

export interface Bearer {
  /** Unique within the daemon: `ip`, `mqtt`, `lora0`, `meshtastic0`... */
  readonly name: string;
  /** `sync`: accepted means the next hop has it; `async`: only a delivery bloom proves delivery. */
  readonly mode: 'sync' | 'async';
  /** Starts I/O. The constructor does none. */
  start(): Promise<void>;
  /** Undoes everything start() did; pending sends reject with an AbortError-named error. */
  stop(): Promise<void>;
  /** Whether a frame for this peer (or BROADCAST) could go out on this bearer now. Cheap; no I/O. */
  canReach(peer: PeerId): boolean;
  /** Puts one frame on the wire. Resolves `accepted` or `unreachable`; rejects only on abort or a bearer bug. */
  send(frame: OutFrame, options?: { signal?: AbortSignal }): Promise<SendResult>;
  /** Registers a listener; returns a function that removes it. Listener errors never reach the bearer. */
  on<E extends keyof BearerEvents>(event: E, listener: BearerEvents[E]): () => void;
  status(): BearerStatus;
}
