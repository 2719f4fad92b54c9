/**
 * The seam between the device side of the client API (this folder: handshake, NodeDB view, admin, per-client
 * queues; firmware src/mesh/PhoneAPI.cpp, MeshService.cpp) and whatever carries packets to and from the mesh: the
 * native node's router on a real or simulated SX126x (../mesh/), or the simulated mesh of `lattice sim meshtastic`
 * (../sim/). One device side serves both.
 */
import type { Mesh, Telemetry } from '@meshtastic/protobufs';

export interface MeshPort {
  /**
   * A client's packet into the mesh, as MeshService::handleToRadio → Router::sendLocal take it: `from` 0 becomes our
   * node number, `id` 0 a fresh packet id, a missing hop limit the configured one, `want_ack` is honoured with the
   * firmware's retransmissions. Returns the id used. Routing results (ACK, NAK, errors) come back to the clients as
   * ROUTING_APP packets through onToPhone, as the firmware sends them.
   */
  sendFromPhone(packet: Mesh.MeshPacket): number;
  /** Packets for the clients (MeshService::sendToPhone), decoded; every connected client gets each one. */
  onToPhone(listener: (packet: Mesh.MeshPacket) => void): () => void;
  /**
   * Router::getQueueStatus for the QueueStatus a client gets after each packet and on heartbeats: free TX queue slots
   * and its length, with `res` = the ErrorCode Router::sendLocal returned for the packet `meshPacketId` (the last
   * sendFromPhone: 0 queued, ERRNO_UNKNOWN 32 queue full, or the Routing_Error of a failed encode). Optional (added
   * by the device part of issue 13): without it clients are told 16 of 16 free and res 0.
   */
  queueStatus?(): TxQueueStatus;
  /** MeshService::loop: the TX queue had no free slot and now has one; every client is told. Optional. */
  onQueueStatus?(listener: (status: TxQueueStatus) => void): () => void;
}

/** The fields of a QueueStatus the mesh knows (the device side makes the message). */
export interface TxQueueStatus {
  free: number;
  maxlen: number;
  /** The ErrorCode of the last sendFromPhone, when known. */
  res?: number;
  /** The packet `res` is about. */
  meshPacketId?: number;
}

/**
 * The node database as the mesh side updates it (NodeDB::updateFrom, updateUser, updatePosition, updateTelemetry):
 * implemented by the device side's persisted NodeDB, read by the router for public keys and next hops.
 */
export interface NodeDirectory {
  get(num: number): Mesh.NodeInfo | undefined;
  /** The node's Curve25519 public key as heard in its NodeInfo (User.public_key), if any. */
  publicKeyOf(num: number): Uint8Array | undefined;
  /** Every packet heard from a node (NodeDB::updateFrom): last heard, SNR, hops away, via MQTT. */
  heardFrom(packet: Mesh.MeshPacket): void;
  /** A NODEINFO_APP payload received (NodeDB::updateUser); false when refused (a key change for a known node). */
  updateUser(num: number, user: Mesh.User, channelIndex: number): boolean;
  updatePosition(num: number, position: Mesh.Position): void;
  updateTelemetry(num: number, metrics: Telemetry.DeviceMetrics): void;
  /**
   * Optional: the next hop towards a node as the firmware keeps it in the NodeDB (deviceonly.proto
   * NodeInfoLite.next_hop: the last byte of the relay's node number, 0 = none; NextHopRouter sets and resets it), so
   * it survives a restart with the node DB. mesh.proto NodeInfo has no such field, hence separate members. Without
   * them the router keeps next hops in memory only.
   */
  setNextHop?(num: number, relayByte: number): void;
  /** Optional: the stored next hop (0 or undefined = none, e.g. a node not in the DB). */
  nextHopOf?(num: number): number | undefined;
  /**
   * Optional: every node in the DB (NodeDB::getMeshNodeByIndex), read for the favourite routers whose hops a ROUTER
   * preserves (Router::shouldDecrementHopLimit: is_favorite, user.role) and the number of nodes online
   * (NodeDB::getNumOnlineMeshNodes: last_heard within 2 h). Without it the router counts the nodes it heard itself
   * and knows no favourites.
   */
  nodes?(): Iterable<Mesh.NodeInfo>;
}
