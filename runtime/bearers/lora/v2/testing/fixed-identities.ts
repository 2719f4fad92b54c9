/** Deterministic identities for vectors: Ed25519 seeds of 32 equal bytes (01…, 02…, 03…). */
import { identityFromPem, type Identity } from '../../../../identity/identity.js';

export function fixedIdentity(byte: number): Identity {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.alloc(32, byte)]);
  return identityFromPem(`-----BEGIN PRIVATE KEY-----\n${der.toString('base64')}\n-----END PRIVATE KEY-----\n`);
}
