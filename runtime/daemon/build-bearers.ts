/**
 * Config -> bearers: every bearer kind (runtime/bearers/bearer-kinds.ts) maps its own config section to bearer
 * factories, and the composition root calls them with the relay's components. A kind loads its code only when the
 * config names it (dynamic import): a laptop or CI never loads spi-device/onoff, and an IP-only relay does not pay
 * for the MQTT client or the Meshtastic protobuf schemas (about 10 MiB of RSS on a 512 MB board, see BENCHMARKS.md).
 */
import type { Bearer } from '../bearer/bearer.js';
import type { BearerFactory } from '../bearer/bearer-kind.js';
import { bearerKinds, sectionOf } from '../bearers/bearer-kinds.js';
import type { Components } from '../components/components.js';
import type { Config } from '../config/config.js';
import type { Identity } from '../identity/identity.js';

export interface BuiltBearers {
  bearers: Bearer[];
  /** Extra things to close after the bearers stopped (radios the bearers do not own). */
  cleanups: Array<() => Promise<void>>;
}

/** Builds the bearers the config asks for, in the registry's order. If one cannot be built, the radios opened for
 * the others are closed before the error goes on. */
export async function buildBearers(config: Config, identity: Identity, components: Components): Promise<BuiltBearers> {
  const bearers: Bearer[] = [];
  const context = {
    identity, dataDir: config.dataDir, bearerNames: bearerKinds.flatMap((kind) => kind.configured(sectionOf(config, kind)).map((b) => b.name)),
    bearer: (name: string) => bearers.find((b) => b.name === name),
  };
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const factories: BearerFactory[] = [];
    for (const kind of bearerKinds) {
      const section = sectionOf(config, kind);
      if (kind.configured(section).length === 0) continue;
      const built = await kind.build(section, context);
      cleanups.push(...(built.cleanups ?? []));
      factories.push(...built.bearers);
    }
    for (const make of factories) bearers.push(make(components));
    return { bearers, cleanups };
  } catch (err) {
    for (const close of cleanups) await close().catch(() => undefined);
    throw err;
  }
}
