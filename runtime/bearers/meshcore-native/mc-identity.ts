/**
 * The native MeshCore node's identity: an Ed25519 key pair (src/Identity.cpp LocalIdentity) kept in the node's state
 * directory as `meshcore.key` (PKCS#8 PEM like the relay's own node.key, mode 0600, written atomically). One key for
 * the repeater and its companion: it signs the adverts, its hash is our path hash, and it is the key SELF_INFO
 * reports. The firmware regenerates a key whose first byte is 0x00 or 0xFF (reserved path hashes: MyMesh::begin),
 * so a fresh key never has one. A damaged key file stops the start: a fresh key would be a new node to the mesh.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { identityFromSeed, isReservedKey, type LocalIdentity } from '../../../firmware-protocol/meshcore/ota/identity.js';
import { readKeyFile, writeKeyFile } from '../../identity/key-file.js';
import { McIdentityError } from './errors.js';
import { freshKeyObject } from '../../identity/identity.js';

export const MC_KEY_FILE = 'meshcore.key';

function seedOf(key: KeyObject): Uint8Array {
  return new Uint8Array(Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url'));
}

/** A fresh Ed25519 key whose public key is no reserved path hash. */
function freshKey(): KeyObject {
  for (;;) {
    // Not generateKeyPairSync's KeyObject: exporting it can deadlock Node 20 (runtime/identity/identity.ts freshKeyObject).
    const privateKey = freshKeyObject('ed25519');
    if (!isReservedKey(identityFromSeed(seedOf(privateKey)).publicKey)) return privateKey;
  }
}

/** Loads `<dir>/meshcore.key`, creating it at first start. */
export async function loadOrCreateMcIdentity(dir: string): Promise<{ identity: LocalIdentity; created: boolean }> {
  const path = join(dir, MC_KEY_FILE);
  let pem: string | undefined;
  try {
    pem = await readKeyFile(path);
  } catch (err) {
    throw new McIdentityError(path, 'cannot read the key file', { cause: err });
  }
  if (pem === undefined) {
    const key = freshKey();
    await writeKeyFile(path, key.export({ format: 'pem', type: 'pkcs8' }).toString());
    return { identity: identityFromSeed(seedOf(key)), created: true };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`expected an Ed25519 key, got ${key.asymmetricKeyType}`);
  } catch (err) {
    throw new McIdentityError(path, 'not a valid Ed25519 private key (PKCS#8 PEM); move it away to create a new MeshCore identity (a new node)', { cause: err });
  }
  return { identity: identityFromSeed(seedOf(key)), created: false };
}

/** An identity for an in-process simulated node (no file). */
export function generateMcIdentity(): LocalIdentity {
  return identityFromSeed(seedOf(freshKey()));
}
