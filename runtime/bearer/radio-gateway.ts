/**
 * RadioGateway: a radio of a foreign mesh (Meshtastic, MeshCore) as the bridge, the daemon's status and the CLI see
 * it. It is a Bearer (the router sends bundles through it and hears its `foreign` messages) that can also say what
 * the radio is and knows — its own identity, its channels, the nodes it has heard, its LoRa modulation, the state of
 * the link to it — and send a plain text.
 *
 * Implemented by the gateways that drive a companion radio over serial, TCP or BLE (runtime/bearers/meshtastic,
 * runtime/bearers/meshcore), and meant for the native stacks that will run a mesh's firmware logic on the relay's
 * own SX126x: for those the "link" is the radio chip itself (never displaced) and everything else is the same.
 *
 * Promises (testing/radio-gateway-suite.ts checks them on every implementation):
 * - `radio()` is cheap, does no I/O and returns plain data (JSON as the API serves it). While the link is not up,
 *   `channels` and `nodes` are empty (the radio may have changed them meanwhile); `self` and `modulation` stay as
 *   last reported.
 * - Addresses are those of bearer.ts PeerId: `mt:!a1b2c3d4` / `mt:ch:0`, `mc:<64 hex key>` / `mc:ch:0`.
 * - Incoming texts are the Bearer's `foreign` events (ForeignMessage: `to` a channel address, or our own address
 *   with `direct` set). A change of link, channel table or known nodes is told by `peer` events, as for any bearer.
 * - `sendText()` resolves with what became of the text and rejects only on abort or stop (an AbortError-named
 *   error). A text sent again with the same `key` (and `sentAt`) is the same message on the mesh, so the mesh drops
 *   a repeat; where the gateway cannot know whether the radio sent it (its answer was lost with the link) and a
 *   repeat would be heard twice, it says `unconfirmed` rather than `refused`.
 */
import type { Bearer, PeerId } from './bearer.js';

export type MeshKind = 'meshtastic' | 'meshcore';

/** The radio's own identity on its mesh. */
export interface RadioSelf {
  /** Our address on the mesh: `mt:!a1b2c3d4`, `mc:<64 hex public key>`. */
  address: PeerId;
  /** The name the mesh shows for us (Meshtastic long name, MeshCore advert name). */
  name?: string;
  /** Meshtastic short name (4 characters). */
  shortName?: string;
  /** Meshtastic node number. */
  nodeNum?: number;
  /** Public key, hex (Meshtastic: Curve25519 when the firmware has PKI; MeshCore: Ed25519, also the address). */
  publicKey?: string;
  /** The role the radio plays (Meshtastic CLIENT, ROUTER…; MeshCore chat, repeater, room, sensor). */
  role?: string;
  firmware?: string;
  hardware?: string;
}

/** One slot of the radio's channel table. */
export interface RadioChannel {
  index: number;
  /** As the apps show it (Meshtastic: the preset name for an unnamed primary channel). */
  name: string;
  /** `mt:ch:<index>`, `mc:ch:<index>`. */
  address: PeerId;
  /** The radio can send and hear on it (an enabled Meshtastic slot, a MeshCore slot holding a key). */
  usable: boolean;
}

/** A node of the mesh the radio knows (Meshtastic NodeDB, MeshCore contacts). */
export interface RadioNode {
  address: PeerId;
  name?: string;
  shortName?: string;
  /** Public key, hex, where the radio has one (a DM needs it). */
  publicKey?: string;
  /** When the node was last heard, ms since the epoch, where the radio says. */
  lastHeard?: number;
  /** Hops away, where known. */
  hops?: number;
  /** SNR of the last packet heard from it directly (dB), where the radio says. */
  snr?: number;
  /** Where it last said it was (degrees, WGS84), where the radio knows (Meshtastic POSITION_APP). */
  position?: { lat: number; lon: number };
}

/** LoRa parameters, as far as the radio reports them. */
export interface RadioModulation {
  frequencyHz?: number;
  bandwidthHz: number;
  spreadingFactor: number;
  /** Coding rate denominator 5..8 (4/5 .. 4/8). */
  codingRate: number;
  /** Preamble symbols, where the firmware fixes or reports it. */
  preambleLength?: number;
  /** Meshtastic preset (LONG_FAST…). */
  preset?: string;
  /** Meshtastic region (EU_868, US…). */
  region?: string;
  txPowerDbm?: number;
}

/** Where the gateway stands with a single-client radio that another client took (runtime/bearers/displacement.ts). */
export interface RadioDisplacement {
  /** Displacements since start. */
  total: number;
  /** Displacements in the current run (0 once a session stayed up long enough). */
  streak: number;
  /** True while the gateway waits out the back-off instead of reconnecting. */
  backingOff: boolean;
  /** When the radio last displaced us (ms since the epoch). */
  lastAt?: number;
  /** When the gateway connects again (ms since the epoch), while backing off. */
  retryAt?: number;
}

/**
 * The link to the radio: `up` when texts can go out; `displaced` while backing off because another client took the
 * radio; `down` while reconnecting after any other loss; `starting` before the first session; `stopped`.
 */
export type RadioLinkState = 'starting' | 'up' | 'down' | 'displaced' | 'stopped';

export interface RadioLink {
  state: RadioLinkState;
  /** What the user configured (`/dev/ttyUSB0`, `host:4403`, `ble:…`). */
  device?: string;
  /** Times the link came back after a loss. */
  reconnects: number;
  /** Why the link or the last send failed, when it did. */
  lastError?: string;
  /** Companion radios that serve one TCP client; absent for a radio that cannot be taken (native, USB). */
  displacement?: RadioDisplacement;
}

/** A radio as it is now (plain data). */
export interface RadioInfo {
  /** The gateway's bearer name (`meshtastic0`). */
  name: string;
  mesh: MeshKind;
  link: RadioLink;
  self?: RadioSelf;
  channels: RadioChannel[];
  nodes: RadioNode[];
  modulation?: RadioModulation;
}

export interface RadioText {
  /** A channel or a node of this radio's mesh. */
  to: PeerId;
  text: string;
  /**
   * The text's identity: a repeat with the same key is the same message on the mesh (Meshtastic: the same packet ids,
   * dropped by every node as a duplicate) and continues where a partial send stopped. Without it, every call is a
   * new message.
   */
  key?: Uint8Array;
  /** When the text was written (ms since the epoch; default now): MeshCore's sender timestamp. */
  sentAt?: number;
  /** Until when a DM may still be retried (ms since the epoch; default `sentAt` + 10 min). */
  expiresAt?: number;
  signal?: AbortSignal;
}

/** Why a text was not sent. */
export type RadioRefusal =
  | 'link-down' // no session with the radio now
  | 'bad-address' // not an address of this mesh
  | 'no-channel' // the radio has no usable channel at that index
  | 'unknown-node' // the radio does not know the node
  | 'no-key' // the radio knows the node but not its public key (a DM needs it)
  | 'busy' // the radio's queue for DMs is full
  | 'empty' // nothing to send
  | 'radio-error'; // the radio refused or failed the command

export type RadioSendResult =
  /** The radio took every piece (`packetIds` where the mesh has them). */
  | { status: 'sent'; pieces: number; packetIds?: number[] }
  /** The link dropped with the text in the radio's hands and before its answer: counted as sent, not repeated. */
  | { status: 'unconfirmed'; pieces: number }
  | { status: 'refused'; reason: RadioRefusal; detail?: string };

export interface RadioGateway extends Bearer {
  readonly mesh: MeshKind;
  /** The radio as it is now. Cheap; no I/O. */
  radio(): RadioInfo;
  /** Sends a text to a channel or a node of the mesh. */
  sendText(request: RadioText): Promise<RadioSendResult>;
}

export function isRadioGateway(b: Bearer): b is RadioGateway {
  const g = b as Partial<RadioGateway>;
  return (g.mesh === 'meshtastic' || g.mesh === 'meshcore') && typeof g.radio === 'function' && typeof g.sendText === 'function';
}

