/**
 * ByteLink and LinkOpener for the protocol sessions: the one declaration is in the base layer
 * (lib/links/byte-link.ts), shared with drivers/serial/byte-link.ts, since neither layer may import the other.
 * testing/byte-link-suite.ts checks the contract on the in-memory link, the serial link (over a PTY) and the TCP link.
 */
export type { ByteLink, LinkOpener } from '../../lib/links/byte-link.js';
