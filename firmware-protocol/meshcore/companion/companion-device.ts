/**
 * The device half of the MeshCore companion protocol (examples/companion_radio/MyMesh.cpp handleCmdFrame and its
 * pushes), ONE implementation for the native node (in runtime/) and for `lattice sim meshcore`.
 * Clients are attached as frame pipes; the TCP server (port 5000 framing '<' / '>' + u16 LE length) and in-memory
 * links wrap this. Unlike the firmware (one TCP client; MultiSerialInterface sends every frame to every interface),
 * each attached client has its own session: replies go to the client that sent the command, pushes go to all, and
 * every client has its own offline message queue so each sees every message exactly once. Device state (contacts,
 * channels, prefs, identity) is shared and persisted.
 */

/** Frames from the device to one client (the payload, without the '>' + length header). */
export interface CompanionClient {
  send(frame: Uint8Array): void;
  /** The device drops the client (stop, or a client that broke the protocol beyond repair). */
  close(reason: string): void;
}

/** One attached client, as the device sees it. */
export interface CompanionSession {
  /** One command frame from the client (payload without the '<' + length header). */
  command(frame: Uint8Array): void;
  /** The client went away; its queue and session state are dropped. */
  detach(): void;
}

export interface CompanionDevice {
  /** `kind` is for status and metrics ('tcp', 'serial', 'memory', …). */
  attach(client: CompanionClient, kind: string): CompanionSession;
  /** Clients attached now. */
  clients(): number;
}
