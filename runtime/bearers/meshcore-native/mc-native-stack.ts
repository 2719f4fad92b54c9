/**
 * What the native MeshCore node needs from the firmware parts it is composed of (issue 14): the mesh on the radio
 * (firmware-protocol/meshcore/mesh), the repeater and the companion's chat logic as one handler
 * (…/repeater, …/companion, …/node/combined-handler.ts), and the device half of the companion protocol with its TCP
 * server (…/companion). mc-stack-from-parts.ts builds one from them; tests may give a fake.
 *
 * The node is one more client of the device: its MeshCoreGateway talks to `device` over an in-memory link
 * (companion-link.ts), so what the relay sends is what an app's send would be, and it hears what the apps hear.
 */
import type { CompanionDevice } from '../../../firmware-protocol/meshcore/companion/companion-device.js';
import type { MeshCoreMesh } from '../../../firmware-protocol/meshcore/mesh/mesh-api.js';
import type { RawPacketSource } from '../mqtt/meshcore/raw-packet-source.js';

/** A repeater heard directly (a zero-hop advert, or a flood advert with an empty path). */
export interface McNeighbour {
  /** Public key, hex. */
  publicKey: string;
  name?: string;
  snrDb?: number;
  /** ms since the epoch. */
  lastHeard: number;
}

/** Counts the node keeps beyond the mesh's own (MeshCoreMesh.counters). */
export interface McNodeCounts {
  advertsHeard: number;
  advertsSent: number;
  loginsOk: number;
  loginsFailed: number;
}

export interface McNativeStack {
  readonly mesh: MeshCoreMesh;
  readonly device: CompanionDevice;
  /** Every frame the radio decoded, with the node's identity: what a MeshCore MQTT observer uplinks. */
  readonly rawPackets: RawPacketSource;
  /** The advert name now (a client or the CLI may change it). */
  nodeName(): string;
  neighbours(): McNeighbour[];
  /** Contacts the companion keeps. */
  contacts(): number;
  /** Clients logged in to the repeater over the air (its ACL); 0 for a companion. */
  loggedIn(): number;
  counts(): McNodeCounts;
  /** Sends our advert now, flood or zero-hop (the repeater's MyMesh::sendSelfAdvertisement; a companion's
   * CMD_SEND_SELF_ADVERT). */
  advertNow(flood: boolean): void;
  /** The companion TCP port (the system's pick for port 0); undefined when it is off. */
  companionPort(): number | undefined;
  /** Starts the mesh (receive and TX loops), the handlers' timers (adverts) and the companion server. */
  start(): Promise<void>;
  /** Stops what start() started and flushes the persisted state (contacts, prefs). */
  stop(): Promise<void>;
}
