/**
 * What the companion device side and its TCP server count. The runtime maps these onto Prometheus
 * (`lattice_meshcore_companion_<event>_total`, `lattice_meshcore_companion_dropped_total{reason}`, a clients gauge);
 * every method must be cheap and must not throw.
 */
export type CompanionDropReason =
  /** A client's offline queue was full and held no channel frame to evict: the new frame was dropped. */
  | 'queue-full'
  /** The full queue evicted its oldest channel frame for a newer frame (MyMesh::addToOfflineQueue). */
  | 'queue-evicted'
  /** A frame over MAX_FRAME_SIZE the device would have sent (SerialWifiInterface::writeFrame drops it). */
  | 'frame-too-big'
  /** A frame from a client whose header type was not '<' (skipped, SerialWifiInterface). */
  | 'bad-frame-type'
  /** A frame from a client longer than MAX_FRAME_SIZE (skipped). */
  | 'bad-frame-length'
  /** A client's frame made a command handler throw (a bug): answered ERR, counted, nothing else affected. */
  | 'handler-error'
  /** A client that did not read its frames fast enough: its connection was closed. */
  | 'client-backlog';

export interface CompanionMetrics {
  clientAttached?(kind: string): void;
  clientDetached?(kind: string): void;
  command?(code: number): void;
  /** A message (DM, channel text, channel data) queued for the clients. */
  messageQueued?(): void;
  dropped?(reason: CompanionDropReason): void;
}
