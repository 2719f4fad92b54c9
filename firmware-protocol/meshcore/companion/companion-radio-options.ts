/** What a CompanionRadio (./companion-radio.ts) is built from: its chat node, clock, store, build and the host's hooks. */
import type { Clock } from '../../../lib/clock/clock.js';
import type { ChatMesh } from './chat-mesh.js';
import type { ChannelSpec } from './channel-spec.js';
import type { CompanionMetrics } from './companion-metrics.js';
import type { CompanionStore } from './companion-store.js';
import type { CompanionBuild, NodePrefs } from './node-prefs.js';

export interface CompanionRadioOptions {
  chat: ChatMesh;
  clock: Clock;
  store?: CompanionStore;
  build?: Partial<CompanionBuild>;
  /** Preferences a new (or reset) device starts with, over the firmware defaults (config: name, radio). */
  prefs?: Partial<NodePrefs>;
  /** Channels from config, put in free slots at start (Public is always slot 0; see ./channel-spec.ts). */
  channels?: readonly ChannelSpec[];
  /** The type this node advertises (SELF_INFO, adverts): ADV_TYPE_CHAT for a companion, REPEATER on a repeater node. */
  advType?: number;
  /** board.getBattMilliVolts(): the power monitor's reading; 0 when there is none (as boards without a divider). */
  batteryMilliVolts?: () => number | undefined;
  /** CMD_REBOOT / after CMD_FACTORY_RESET: what a reboot means to the host (default: every client is dropped). */
  onReboot?: () => void;
  /** Radio settings the app changed (CMD_SET_RADIO_PARAMS, CMD_SET_RADIO_TX_POWER): the owner retunes. */
  onRadioChanged?: (prefs: NodePrefs) => void;
  /** CMD_SET_DEVICE_TIME: set the RTC (the simulator); absent = the host's clock is authoritative. */
  setRtc?: (epochSeconds: number) => void;
  /** The radio's noise floor for CMD_GET_STATS radio (Radio::getNoiseFloor); 0 when unknown. */
  noiseFloorDbm?: () => number | undefined;
  metrics?: CompanionMetrics;
  /** Persistence failures (logged by the owner; the device goes on with its state in memory). */
  onError?: (err: unknown) => void;
}
