/**
 * The login a MeshCore community broker expects (michaelhart/meshcore-mqtt-broker src/server.ts; tokens as
 * @michaelhart/meshcore-decoder createAuthToken makes them): username `v1_<PUBKEY in capitals>`, password a
 * JWT-style `base64url(header).base64url(payload).<signature hex>` where header is {"alg":"Ed25519","typ":"JWT"},
 * the payload carries `publicKey` (capitals), `iat`, `exp` and the broker's `aud`, and the signature is Ed25519 over
 * the text `header.payload` by the node's key. Made here with the node's own signer: its private key never leaves it.
 */
export interface TokenClaims {
  /** The broker's expected audience (its host name for the public brokers). */
  aud?: string;
  /** Seconds since the epoch. */
  iat: number;
  exp?: number;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

export function brokerUsername(publicKey: Uint8Array): string {
  return `v1_${Buffer.from(publicKey).toString('hex').toUpperCase()}`;
}

export function createAuthToken(publicKey: Uint8Array, sign: (message: Uint8Array) => Uint8Array, claims: TokenClaims): string {
  const header = base64url(JSON.stringify({ alg: 'Ed25519', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ publicKey: Buffer.from(publicKey).toString('hex').toUpperCase(), iat: claims.iat, ...(claims.exp !== undefined ? { exp: claims.exp } : {}), ...(claims.aud !== undefined ? { aud: claims.aud } : {}) }));
  const signingInput = `${header}.${payload}`;
  const signature = Buffer.from(sign(new TextEncoder().encode(signingInput))).toString('hex');
  return `${signingInput}.${signature}`;
}
