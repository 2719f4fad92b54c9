/**
 * The bearer registry: every kind of bearer a relay can run, in the order the daemon builds and starts them. The
 * config's one schema takes each kind's section from here, the daemon (runtime/daemon/build-bearers.ts) builds each
 * configured kind from here. A new bearer is its folder — the bearer with its `<kind>Bearer(init)(components)`
 * factory, `<kind>-config.ts` (section type, schema piece, defaults, the BearerKind) and `<kind>-from-config.ts` (the
 * section mapped to the bearer's init) — and one line in this list.
 */
import type { BearerKind } from '../bearer/bearer-kind.js';
import { ipKind } from './ip/ip-config.js';
import { loraKind } from './lora/lora-config.js';
import { meshcoreKind } from './meshcore/meshcore-config.js';
import { meshtasticKind } from './meshtastic/meshtastic-config.js';
import { mqttKind } from './mqtt/mqtt-config.js';

export const BEARER_KINDS = [ipKind, mqttKind, meshtasticKind, meshcoreKind, loraKind] as const;

type Kinds = (typeof BEARER_KINDS)[number];

/** The config sections of the bearer kinds, as Config has them (`ip: IpConfig`, `lora: LoraConfig[]`...). */
export type BearerSections = { [K in Kinds as K['section']]: K['defaults'] };

/** The same list for code that walks every kind (parseConfig, the daemon): each over a section of unknown type. */
export const bearerKinds: readonly BearerKind[] = BEARER_KINDS;

/** A kind's section of a config (merged, or one layer). */
export function sectionOf(config: object, kind: BearerKind): unknown {
  return (config as Record<string, unknown>)[kind.section];
}
