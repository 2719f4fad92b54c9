/**
 * Identity: this relay's Ed25519 key pair. Node id = the 32-byte public key; short id = 12 base32 characters over
 * its hash. Created at first start in the data directory as `node.key` (PKCS#8 PEM, mode 0600), reused after.
 * The X25519 key for sealing bodies is derived from the same key (RFC 7748 birational map, as libsodium's
 * crypto_sign_ed25519_sk_to_curve25519), so one published id serves for signatures and encryption.
 */
import { createPrivateKey, generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { IdentityFileError } from './errors.js';
import { shortId as shortIdOf } from './short-id.js';
import { x25519PublicFromEd25519, x25519SecretFromEd25519Seed, x25519Shared } from './x25519-from-ed25519.js';

export const IDENTITY_FILE = 'node.key';

export interface Identity {
  readonly nodeId: Uint8Array;
  readonly nodeIdHex: string;
  readonly shortId: string;
  sign(message: Uint8Array): Uint8Array;
  /** X25519 shared secret with another node (by its Ed25519 node id); cached per peer. */
  sharedSecret(peerNodeId: Uint8Array): Uint8Array;
}

class KeyIdentity implements Identity {
  readonly nodeId: Uint8Array;
  readonly nodeIdHex: string;
  readonly shortId: string;
  private readonly xSecret: Uint8Array;
  private readonly secrets = new Map<string, Uint8Array>();

  constructor(private readonly privateKey: KeyObject) {
    const jwk = privateKey.export({ format: 'jwk' });
    this.nodeId = new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
    this.nodeIdHex = Buffer.from(this.nodeId).toString('hex');
    this.shortId = shortIdOf(this.nodeId);
    this.xSecret = x25519SecretFromEd25519Seed(Buffer.from(jwk.d!, 'base64url'));
  }

  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.privateKey));
  }

  sharedSecret(peerNodeId: Uint8Array): Uint8Array {
    const key = Buffer.from(peerNodeId).toString('hex');
    let s = this.secrets.get(key);
    if (!s) {
      s = x25519Shared(this.xSecret, x25519PublicFromEd25519(peerNodeId));
      if (this.secrets.size >= 1024) this.secrets.delete(this.secrets.keys().next().value!);
      this.secrets.set(key, s);
    }
    return s;
  }
}

/**
 * A fresh Ed25519 or X25519 private key, taken from the key generation as a JWK and re-imported. Why not the KeyObject that
 * generateKeyPairSync returns: Node 20 (seen on 20.20.2) can deadlock the main thread when a garbage collection runs
 * while that key is exported (KeyIdentity's JWK export): the collector finalizes the finished key-generation job,
 * whose destructor waits for the key's mutex, which the export holds — about once in 10^4 keys, for ever (a futex
 * wait, no CPU). A key imported from the job's output belongs to no job. JWK rather than PKCS#8 DER: the DER
 * import goes through OpenSSL's decoder, ~600 µs a key against ~170 µs.
 */
export function freshKeyObject(type: 'ed25519' | 'x25519'): KeyObject {
  const { privateKey } = generateKeyPairSync(type as 'ed25519', { privateKeyEncoding: { format: 'jwk' }, publicKeyEncoding: { format: 'jwk' } });
  // @types/node has no 'jwk' overload here (it types the result as a KeyObject); Node returns the JWK object.
  return createPrivateKey({ key: privateKey as unknown as JsonWebKey, format: 'jwk' });
}

function freshEd25519Key(): KeyObject {
  return freshKeyObject('ed25519');
}

/** A fresh in-memory identity (tests, simulated neighbours). */
export function generateIdentity(): Identity {
  return new KeyIdentity(freshEd25519Key());
}

/** Identity from a PKCS#8 PEM string. */
export function identityFromPem(pem: string): Identity {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`expected an Ed25519 key, got ${key.asymmetricKeyType}`);
  return new KeyIdentity(key);
}

export function identityToPem(identity: Identity): string {
  if (!(identity instanceof KeyIdentity)) throw new TypeError('not a key identity');
  return (identity as unknown as { privateKey: KeyObject }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Loads `<dataDir>/node.key`, creating it (0600, written atomically) at first start. */
export async function loadOrCreateIdentity(dataDir: string): Promise<{ identity: Identity; created: boolean }> {
  const path = join(dataDir, IDENTITY_FILE);
  let pem: string | undefined;
  try {
    pem = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new IdentityFileError(path, 'cannot read the key file', { cause: err });
  }
  if (pem !== undefined) {
    try {
      const identity = identityFromPem(pem);
      // Tighten a key file someone copied in with loose permissions: it is the relay's whole identity.
      const st = await stat(path);
      if ((st.mode & 0o077) !== 0) await chmod(path, 0o600);
      return { identity, created: false };
    } catch (err) {
      throw new IdentityFileError(path, 'not a valid Ed25519 private key (PKCS#8 PEM); move it away to create a new identity', { cause: err });
    }
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const privateKey = freshEd25519Key();
  const identity = new KeyIdentity(privateKey);
  const tmp = `${path}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dir = await open(dataDir, 'r');
  try { await dir.sync(); } finally { await dir.close(); }
  return { identity, created: true };
}

/** Node id bytes from 64 hex characters; undefined when malformed. */
export function nodeIdFromHex(hex: string): Uint8Array | undefined {
  if (!/^[0-9a-f]{64}$/i.test(hex)) return undefined;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function nodeIdToHex(nodeId: Uint8Array): string {
  return Buffer.from(nodeId.buffer, nodeId.byteOffset, nodeId.byteLength).toString('hex');
}
