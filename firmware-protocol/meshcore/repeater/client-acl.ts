/**
 * The repeater's access list (src/helpers/ClientACL.{h,cpp}): clients that logged in (admin or guest), with their
 * permissions, the ECDH secret, the path to reach them and the replay guard (last_timestamp by THEIR clock). At most
 * MAX_CLIENTS = 20 (ClientACL.h's default is defined before MyMesh.h's 32 can apply); a full table evicts the least
 * recently active non-admin. Persisted as the firmware's /s_contacts file: per client pub_key[32] · permissions u8
 * · sync_since u32 · 2 unused · out_path_len u8 · out_path[64] · shared_secret[32]; guests (permissions 0) are not
 * saved, and secrets are recomputed on load (our key may have changed).
 */
import type { McPath } from '../mesh/mesh-handler.js';
import type { PathHashSize } from '../ota/packet.js';
import { decodePathLen, encodePathLen, MAX_PATH_SIZE, PUB_KEY_SIZE } from '../ota/packet.js';
import { PERM_ACL, PERM_ACL_ROLE_MASK } from '../ota/request-codes.js';

export const MAX_CLIENTS = 20;
const RECORD_SIZE = 32 + 1 + 4 + 2 + 1 + 64 + 32;

export interface ClientInfo {
  publicKey: Uint8Array;
  permissions: number;
  /** undefined = OUT_PATH_UNKNOWN (0xFF): replies are flooded until a PATH tells us the way. */
  outPath: McPath | undefined;
  sharedSecret: Uint8Array;
  /** By the client's clock: requests must be newer (replay guard). Not persisted. */
  lastTimestamp: number;
  /** By our RTC. Not persisted. */
  lastActivity: number;
  /** Room-server field, kept so that the file round-trips. */
  syncSince: number;
}

export function isAdmin(c: Pick<ClientInfo, 'permissions'>): boolean {
  return (c.permissions & PERM_ACL_ROLE_MASK) === PERM_ACL.ADMIN;
}

const samePrefix = (a: Uint8Array, b: Uint8Array, n: number): boolean => {
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};

export class ClientACL {
  private clients: ClientInfo[] = [];

  constructor(private readonly calcSharedSecret: (publicKey: Uint8Array) => Uint8Array) {}

  /**
   * LocalIdentity::calcSharedSecret never fails in the firmware (orlp does not check the point); ours throws for a
   * key that is not a curve point. Such a client can never send anything that decrypts, so a zero secret is right.
   */
  private sharedSecret(publicKey: Uint8Array): Uint8Array {
    try {
      return this.calcSharedSecret(publicKey);
    } catch {
      return new Uint8Array(PUB_KEY_SIZE);
    }
  }

  get count(): number {
    return this.clients.length;
  }

  all(): readonly ClientInfo[] {
    return this.clients;
  }

  /** ClientACL::getClient by a key prefix of `keyLen` bytes. */
  getClient(publicKey: Uint8Array, keyLen = PUB_KEY_SIZE): ClientInfo | undefined {
    return this.clients.find((c) => samePrefix(publicKey, c.publicKey, keyLen));
  }

  /** ClientACL::putClient: the known entry, or a new one (evicting the least active non-admin when full). */
  putClient(publicKey: Uint8Array, initPerms: number): ClientInfo {
    let oldest: number = MAX_CLIENTS - 1;
    let minTime = 0xffffffff;
    for (let i = 0; i < this.clients.length; i++) {
      const c = this.clients[i];
      if (samePrefix(publicKey, c.publicKey, PUB_KEY_SIZE)) return c;
      if (!isAdmin(c) && c.lastActivity < minTime) {
        oldest = i;
        minTime = c.lastActivity;
      }
    }
    const fresh: ClientInfo = {
      publicKey: publicKey.slice(0, PUB_KEY_SIZE),
      permissions: initPerms,
      outPath: undefined,
      sharedSecret: new Uint8Array(PUB_KEY_SIZE),
      lastTimestamp: 0,
      lastActivity: 0,
      syncSince: 0,
    };
    if (this.clients.length < MAX_CLIENTS) this.clients.push(fresh);
    else this.clients[oldest] = fresh;
    return fresh;
  }

  /**
   * ClientACL::applyPermissions (CLI `setperm`): a guest role deletes the entry (by prefix); any other role needs
   * the whole key and adds or updates it.
   */
  applyPermissions(publicKey: Uint8Array, perms: number): boolean {
    if ((perms & PERM_ACL_ROLE_MASK) === PERM_ACL.GUEST) {
      const c = this.getClient(publicKey, publicKey.length);
      if (!c) return false;
      this.clients.splice(this.clients.indexOf(c), 1);
      return true;
    }
    if (publicKey.length < PUB_KEY_SIZE) return false;
    const c = this.putClient(publicKey, 0);
    c.permissions = perms & 0xff;
    c.sharedSecret = this.sharedSecret(c.publicKey);
    return true;
  }

  /** The /s_contacts file (guests skipped). */
  encode(): Uint8Array {
    const kept = this.clients.filter((c) => c.permissions !== 0);
    const out = new Uint8Array(RECORD_SIZE * kept.length);
    const dv = new DataView(out.buffer);
    let o = 0;
    for (const c of kept) {
      out.set(c.publicKey, o);
      out[o + 32] = c.permissions;
      dv.setUint32(o + 33, c.syncSince >>> 0, true);
      out[o + 39] = c.outPath ? encodePathLen(c.outPath.hashSize, c.outPath.bytes.length / c.outPath.hashSize) : 0xff;
      if (c.outPath) out.set(c.outPath.bytes.subarray(0, MAX_PATH_SIZE), o + 40);
      out.set(c.sharedSecret, o + 104);
      o += RECORD_SIZE;
    }
    return out;
  }

  /** ClientACL::load: whole records up to MAX_CLIENTS; a torn last record is ignored (the firmware stops there). */
  decode(bytes: Uint8Array): void {
    this.clients = [];
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let o = 0; o + RECORD_SIZE <= bytes.length && this.clients.length < MAX_CLIENTS; o += RECORD_SIZE) {
      const publicKey = bytes.slice(o, o + 32);
      const pathLen = bytes[o + 39];
      let outPath: McPath | undefined;
      const pl = pathLen === 0xff ? undefined : decodePathLen(pathLen);
      if (pl && pl.count * pl.size <= MAX_PATH_SIZE) {
        outPath = { hashSize: pl.size as PathHashSize, bytes: bytes.slice(o + 40, o + 40 + pl.count * pl.size) };
      }
      this.clients.push({
        publicKey,
        permissions: bytes[o + 32],
        syncSince: dv.getUint32(o + 33, true),
        outPath,
        sharedSecret: this.sharedSecret(publicKey),
        lastTimestamp: 0,
        lastActivity: 0,
      });
    }
  }
}
