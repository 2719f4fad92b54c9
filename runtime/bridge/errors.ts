/** Failure modes of the bridge, one class each (stable `name`, structured fields). */

/** The bridge's durable queue was used before start() or after stop(). */
export class BridgeQueueClosedError extends Error {
  override name = 'BridgeQueueClosedError';
  constructor(readonly op: string) {
    super(`bridge queue is closed (${op})`);
  }
}

/** The bridge config names a radio the daemon does not have, or a radio of the wrong kind. */
export class BridgeRadioMissingError extends Error {
  override name = 'BridgeRadioMissingError';
  constructor(readonly kind: 'meshtastic' | 'meshcore', readonly bearer: string | undefined) {
    super(bearer ? `the bridge's ${kind} radio "${bearer}" is not among the bearers` : `the bridge needs a ${kind} radio`);
  }
}

/** A bridged message waited too long for its radio to take it (it stays queued in the router's vault). */
export class BridgeDeliveryTimeoutError extends Error {
  override name = 'BridgeDeliveryTimeoutError';
  constructor(readonly bundleId: string, readonly ms: number) {
    super(`bridged bundle ${bundleId} was not taken by its radio within ${ms} ms`);
  }
}
