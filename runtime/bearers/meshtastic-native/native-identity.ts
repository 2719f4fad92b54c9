/**
 * The native node's identity on the Meshtastic mesh: a Curve25519 key pair (config.security.private_key/public_key,
 * firmware NodeDB::generateCryptoKeyPair) kept in the node's state directory as `meshtastic.key` (PKCS#8 PEM, mode
 * 0600, written atomically), and the node number. Firmware 2.7 takes the node number from the MAC
 * (NodeDB::pickNewNodeNum); a board without a radio MAC, and the simulated air, take it from the public key as
 * firmware 2.8 does (NodeDB::createNewIdentity: crc32 of the 32-byte public key), unless config gives one
 * (`meshtastic.nodeNum`). A damaged key file stops the start: a fresh key would be a new node to the whole mesh.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { chmod, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isReservedNodeNum, nodeNumFromPublicKey } from '../../../firmware-protocol/meshtastic/ota/node-num.js';
import { NativeIdentityError } from './errors.js';
import { writeKeyFile } from '../../identity/key-file.js';
import { freshKeyObject } from '../../identity/identity.js';

export { nodeNumFromPublicKey };

export const NATIVE_KEY_FILE = 'meshtastic.key';

export interface NativeIdentity {
  /** 32 bytes, as User.public_key and config.security.public_key carry it. */
  publicKey: Uint8Array;
  /** 32 bytes (config.security.private_key). */
  privateKey: Uint8Array;
  nodeNum: number;
  /** True when the number came from the public key (not from config). */
  derived: boolean;
}

function raw(key: KeyObject): { publicKey: Uint8Array; privateKey: Uint8Array } {
  const jwk = key.export({ format: 'jwk' });
  return { publicKey: new Uint8Array(Buffer.from(jwk.x!, 'base64url')), privateKey: new Uint8Array(Buffer.from(jwk.d!, 'base64url')) };
}

function fromPem(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'x25519') throw new TypeError(`expected an X25519 key, got ${key.asymmetricKeyType}`);
  return key;
}

/** The stream API's frame start (firmware StreamAPI.cpp START1, START2). */
const START1 = 0x94;
const START2 = 0xc3;

/** Whether `bytes` holds the stream API's frame start 0x94 0xC3 anywhere. */
export function holdsFrameStart(bytes: Uint8Array): boolean {
  for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === START1 && bytes[i + 1] === START2) return true;
  return false;
}

/**
 * A fresh key pair whose derived number is usable (all but 5 in 2^32 are: ota/node-num.ts) and whose raw keys do
 * not hold 0x94 0xC3. The official JS SDK (@meshtastic/core 2.6 fromDeviceStream, used by the web client) discards
 * any stream frame with 0x94 0xC3 inside it and loses its place in the stream: the config stream carries
 * SecurityConfig with both keys, so with such a key (about 1 pair in 1,000) the web client never finishes connecting
 * to the node. The firmware does not avoid it; choosing another key at first start costs nothing.
 */
function freshKey(): KeyObject {
  for (;;) {
    // Not generateKeyPairSync's KeyObject: exporting it can deadlock Node 20 (runtime/identity/identity.ts freshKeyObject).
    const privateKey = freshKeyObject('x25519');
    const keys = raw(privateKey);
    if (holdsFrameStart(keys.publicKey) || holdsFrameStart(keys.privateKey)) continue;
    if (!isReservedNodeNum(nodeNumFromPublicKey(keys.publicKey))) return privateKey;
  }
}

/** Loads `<dir>/meshtastic.key`, creating it at first start; `nodeNum` (config) overrides the derived number. */
export async function loadOrCreateNativeIdentity(dir: string, options: { nodeNum?: number } = {}): Promise<{ identity: NativeIdentity; created: boolean }> {
  const path = join(dir, NATIVE_KEY_FILE);
  let pem: string | undefined;
  try {
    pem = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new NativeIdentityError(path, 'cannot read the key file', { cause: err });
  }
  let key: KeyObject;
  let created = false;
  if (pem !== undefined) {
    try {
      key = fromPem(pem);
    } catch (err) {
      throw new NativeIdentityError(path, 'not a valid X25519 private key (PKCS#8 PEM); move it away to create a new Meshtastic identity (a new node number)', { cause: err });
    }
    const st = await stat(path);
    if ((st.mode & 0o077) !== 0) await chmod(path, 0o600);
  } else {
    key = freshKey();
    await writeKeyFile(path, key.export({ format: 'pem', type: 'pkcs8' }).toString());
    created = true;
  }
  const { publicKey, privateKey } = raw(key);
  const derived = options.nodeNum === undefined;
  return { identity: { publicKey, privateKey, nodeNum: options.nodeNum ?? nodeNumFromPublicKey(publicKey), derived }, created };
}

/** An identity for an in-process simulated node (no file). */
export function generateNativeIdentity(nodeNum?: number): NativeIdentity {
  const { publicKey, privateKey } = raw(freshKey());
  return { publicKey, privateKey, nodeNum: nodeNum ?? nodeNumFromPublicKey(publicKey), derived: nodeNum === undefined };
}

