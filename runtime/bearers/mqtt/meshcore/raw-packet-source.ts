/**
 * What a MeshCore observer needs from its radio: every raw frame the radio decoded, with SNR and RSSI (firmware
 * Dispatcher::logRxRaw, which a native node's MeshHandler.logRxRaw gives), and the node's identity to log in with
 * (the broker checks an Ed25519 token signed by the key whose public half is the topic's PUBKEY). Narrow on
 * purpose: the native MeshCore node (issue 14, being built) or a fake in tests implements it.
 */
export interface RawPacket {
  /** The frame as received: header, transport codes, path length, path, payload (Packet::writeTo layout). */
  raw: Uint8Array;
  snrDb: number;
  rssiDbm: number;
  /** When it was heard, ms since the epoch. */
  at: number;
}

export interface RawPacketSource {
  /** The node's Ed25519 public key (32 bytes): the observer's id (`origin_id`, the topic's PUBKEY). */
  readonly publicKey: Uint8Array;
  /** The node's advert name (`origin`). */
  name(): string;
  /** An Ed25519 signature by the node's key (LocalIdentity::sign). */
  sign(message: Uint8Array): Uint8Array;
  /** Every raw frame heard from now on; returns the unsubscribe. */
  onRawPacket(listener: (packet: RawPacket) => void): () => void;
  /** `freq,bw,sf,cr` as the observers report the radio (MHz, kHz), where known. */
  radioSummary?(): string;
}

/** A bearer that can serve as a MeshCore observer's radio. */
export interface HasRawPacketSource {
  rawPacketSource(): RawPacketSource;
}

export function hasRawPacketSource(x: unknown): x is HasRawPacketSource {
  return typeof (x as Partial<HasRawPacketSource>)?.rawPacketSource === 'function';
}
