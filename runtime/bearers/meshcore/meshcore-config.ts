/**
 * The `meshcore:` config section, a list of companion radios: what each gateway reads (meshcore-from-config.ts maps
 * it), its schema and defaults.
 */
import { defineBearerKind } from '../../bearer/bearer-kind.js';
import { bearerName, companionDevice, companionShorthand, listGiven, namedEntries } from '../../config/bearer-schema.js';
import { int, list, object, str } from '../../config/schema-kit.js';

/** A MeshCore companion radio: a serial path, `host[:port]` / `tcp://host[:port]` (port 5000 by default), or `ble://...`. */
export interface MeshcoreConfig {
  name: string;
  device: string;
  /** Channel slots to set on the radio after every handshake (`#name` derives the hashtag secret). */
  channels?: Array<{ index: number; name: string; secretHex?: string }>;
  /** Region flood scope (`#name`) for everything the radio floods (firmware v8+). */
  floodScope?: string;
}

const channel = object(
  { index: int({ min: 0, max: 39 }), name: str({ min: 1, max: 31 }), secretHex: str({ pattern: /^[0-9a-fA-F]{32}$/, hint: 'must be 32 hex characters (a 16-byte channel secret)' }) },
  { required: ['index', 'name'] },
);

const radio = object(
  {
    name: bearerName,
    device: companionDevice,
    // Channel slots set on the radio after every handshake; a `#name` gets its secret from the name.
    channels: list(channel, { max: 40 }),
    floodScope: str({ pattern: /^#[a-z0-9-]{1,30}$/i, hint: 'must be a #region name' }),
  },
  { required: ['device'], shorthand: companionShorthand },
);

export const meshcoreKind = defineBearerKind<'meshcore', MeshcoreConfig[]>({
  section: 'meshcore',
  schema: list(radio, { max: 8 }),
  defaults: [],
  finish: (radios) => namedEntries('meshcore', radios),
  given: listGiven,
  configured: (radios) => radios.map((r, i) => ({ name: r.name, path: `meshcore[${i}]`, device: r.device })),
  build: async (radios) => (await import('./meshcore-from-config.js')).meshcoreBearers(radios),
});
