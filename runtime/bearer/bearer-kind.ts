/**
 * BearerKind: one kind of bearer (IP, MQTT, Meshtastic, MeshCore, LoRa) as the config and the composition root see
 * it: its config section (validated within the one schema, runtime/config/schema.ts) and how the section becomes
 * bearer factories. runtime/bearers/bearer-kinds.ts lists every kind; nothing else names one, so a new bearer is its
 * folder plus one line there.
 */
import type { ComponentFactory } from '../components/components.js';
import type { ConfigIssue } from '../config/errors.js';
import type { Check } from '../config/schema-kit.js';
import type { Identity } from '../identity/identity.js';
import type { Bearer } from './bearer.js';

/** `bearerKind(init)` returns one of these; the composition root calls it with the relay's components. */
export type BearerFactory<B extends Bearer = Bearer> = ComponentFactory<B>;

/** What the composition root knows beyond a kind's own section. */
export interface BearerBuildContext {
  identity: Identity;
  /** The relay's data directory (LoRa keeps its airtime ledger there). */
  dataDir: string;
  /** Every bearer the config asks for, in start order (the IP bearer announces them in its HELLO). */
  bearerNames: readonly string[];
  /** Another bearer of this relay by name, once every bearer is built (an MQTT gateway finds its radio so, at start). */
  bearer?: (name: string) => Bearer | undefined;
}

export interface BuiltKind {
  bearers: BearerFactory[];
  /** Closes what the bearers use without owning it (radios opened for them); run after the bearers stopped. */
  cleanups?: Array<() => Promise<void>>;
}

/** One bearer a merged section asks for. */
export interface ConfiguredBearer {
  name: string;
  /** Where the config says so (`lora[1]`), for messages. */
  path: string;
  /** The device it opens, if any: no two bearers may open the same one. */
  device?: string;
}

export interface BearerKind<K extends string = string, S = unknown> {
  /** The config key of the section: a mapping for a single bearer (`ip`), a list for radios (`lora`). */
  readonly section: K;
  /** Validates the section's value in one layer (the file, the environment or the flags). */
  readonly schema: Check;
  /** The section when no layer gives it. */
  readonly defaults: S;
  /** A bearer name the kind holds whether configured or not (`ip`), so no radio may take it. */
  readonly reserved?: { name: string; what: string };
  /** How a later layer's value of the section goes over an earlier one; default: mappings merge key by key, a list
   * replaces. */
  merge?(base: unknown, over: unknown): unknown;
  /** After the layers merged: per-entry defaults and names (`lora0`, `lora1`). Default: the section as merged. */
  finish?(section: S): S;
  /** Whether one layer's value of the section configures a bearer (the simulated default then stays off). */
  given(layer: unknown): boolean;
  /** The bearers the merged section asks for (none when it is switched off). */
  configured(section: S): ConfiguredBearer[];
  /** Rules within the merged section (and against the rest of the merged config), reported with every other issue. */
  check?(section: S, issues: ConfigIssue[], config: object): void;
  /** Loads the kind's code (dynamic import: a kind the config does not use costs nothing) and maps the section to
   * bearer factories; called only when `configured` lists at least one bearer. */
  build(section: S, context: BearerBuildContext): Promise<BuiltKind>;
}

/** Keeps a kind's section key and section type for runtime/bearers/bearer-kinds.ts to derive the Config from. */
export function defineBearerKind<K extends string, S>(kind: BearerKind<K, S>): BearerKind<K, S> {
  return kind;
}
