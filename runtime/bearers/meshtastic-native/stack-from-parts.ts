/**
 * The native node's firmware parts composed into a NativeStack (native-stack.ts): the over-the-air codec and
 * PacketCipher (firmware-protocol/meshtastic/ota), the mesh router on the NativeRadio (…/mesh), and the device side
 * of the client API over a store in the node's state directory (…/device).
 */
import type { Clock } from '../../../lib/clock/clock.js';
import type { Logger } from '../../log/logger.js';
import { NativeConfigError } from './errors.js';
import type { NativeIdentity } from './native-identity.js';
import type { NativeMetrics } from './native-metrics.js';
import type { NativeRadio } from './native-radio.js';
import type { NativeSettings } from './native-settings.js';
import type { NativeStack } from './native-stack.js';

export interface NativeStackInit {
  settings: NativeSettings;
  identity: NativeIdentity;
  radio: NativeRadio;
  /** Where the device state (owner, channels, config, NodeDB) is kept. */
  stateDir: string;
  clock: Clock;
  log: Logger;
  metrics?: NativeMetrics;
}

export function buildNativeStack(init: NativeStackInit): NativeStack {
  // Issue 13 is built in parts; this build does not hold the mesh router, the over-the-air codec and the device
  // side yet, so a native node cannot run: say so at start rather than run a radio that relays nothing.
  throw new NativeConfigError(init.settings.name, 'protocol: meshtastic needs the mesh router, over-the-air codec and device side of issue 13, which this build does not have yet');
}
