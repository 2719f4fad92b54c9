/**
 * ByteLink and LinkOpener for the drivers: the one declaration is in the base layer (lib/links/byte-link.ts), shared
 * with firmware-protocol/framing/byte-link.ts, since neither layer may import the other.
 */
export type { ByteLink, LinkOpener } from '../../lib/links/byte-link.js';
