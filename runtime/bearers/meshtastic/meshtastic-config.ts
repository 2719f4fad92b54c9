/**
 * The `meshtastic:` config section, a list of companion radios: what each gateway reads (meshtastic-from-config.ts
 * maps it), its schema and defaults.
 */
import { defineBearerKind } from '../../bearer/bearer-kind.js';
import { bearerName, companionDevice, companionShorthand, listGiven, namedEntries } from '../../config/bearer-schema.js';
import { bool, int, list, object } from '../../config/schema-kit.js';

/**
 * A Meshtastic companion radio. `device` is a serial path (`/dev/ttyUSB0`), `host[:port]` or `tcp://host[:port]`
 * for the firmware's TCP API (port 4403 by default), or `ble://<address or name>`.
 */
export interface MeshtasticConfig {
  /** Bearer name, `meshtastic0`, `meshtastic1`... by position unless given. */
  name: string;
  device: string;
  /** hop_limit for our packets (0..7); default the radio's own setting. */
  hopLimit?: number;
  /** Channel index that Lattice broadcasts go to; default none (Lattice broadcasts stay off the mesh). */
  broadcastChannel?: number;
  /** Ask the mesh for ACKs (default true). */
  wantAck?: boolean;
  /** Prefix texts from other meshes with the sender's name (default true). */
  prefixOrigin?: boolean;
}

const radio = object(
  {
    name: bearerName,
    device: companionDevice,
    // Meshtastic: hop_limit is 0..7 (MeshPacket.hop_limit is 3 bits in the on-air header); channels 0..7.
    hopLimit: int({ min: 0, max: 7 }),
    broadcastChannel: int({ min: 0, max: 7 }),
    wantAck: bool(),
    prefixOrigin: bool(),
  },
  { required: ['device'], shorthand: companionShorthand },
);

export const meshtasticKind = defineBearerKind<'meshtastic', MeshtasticConfig[]>({
  section: 'meshtastic',
  schema: list(radio, { max: 8 }),
  defaults: [],
  finish: (radios) => namedEntries('meshtastic', radios),
  given: listGiven,
  configured: (radios) => radios.map((r, i) => ({ name: r.name, path: `meshtastic[${i}]`, device: r.device })),
  build: async (radios) => (await import('./meshtastic-from-config.js')).meshtasticBearers(radios),
});
