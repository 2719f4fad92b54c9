/**
 * Where a node's number comes from.
 *
 * 2.7.x (NodeDB::pickNewNodeNum): the last 4 bytes of the MAC, big-endian (`mac[2]<<24 | ... | mac[5]`); while
 * that number is reserved (0..3, NUM_RESERVED 4), broadcast 0xFFFFFFFF, or already in the node DB under another
 * MAC, it draws `random(NUM_RESERVED, LONG_MAX)` instead.
 *
 * 2.8 (NodeDB::createNewIdentity): CRC32 of the 32-byte public key (ErriezCRC32 crc32Buffer), assigned as is:
 * createNewIdentity does not re-check the reserved values (pickNewNodeNum's loop runs earlier, on the MAC number),
 * so a key whose CRC is 0..3 or 0xFFFFFFFF would give an unusable number. 2.8 receivers also trust a first-contact
 * signed NodeInfo only if CRC32(public_key) == from (Router.cpp verifyFirstContactNodeInfo), which is why a new
 * identity should take its number from its key. `nodeNumFromPublicKey` returns the firmware's value;
 * `isReservedNodeNum` says whether it is usable, so a caller can draw another key pair when it is not.
 */
import { crc32 } from './crc32.js';

export const NODENUM_BROADCAST = 0xffffffff;
/** MeshTypes.h NODENUM_BROADCAST_NO_LORA: broadcast that never leaves over LoRa. */
export const NODENUM_BROADCAST_NO_LORA = 1;
/** NodeDB.cpp NUM_RESERVED: node numbers 0..3 are reserved. */
export const NUM_RESERVED = 4;

export function isReservedNodeNum(num: number): boolean {
  const n = num >>> 0;
  return n < NUM_RESERVED || n === NODENUM_BROADCAST;
}

/** 2.8 createNewIdentity: crc32Buffer(public_key). */
export function nodeNumFromPublicKey(publicKey: Uint8Array): number {
  return crc32(publicKey);
}

/**
 * 2.7 pickNewNodeNum from a 6-byte MAC. `isTaken(num)` says whether the node DB holds `num` for another MAC;
 * `random(min, max)` is Arduino's random (min inclusive, max exclusive), injectable for tests.
 */
export function nodeNumFromMac(
  mac: Uint8Array,
  isTaken: (num: number) => boolean = () => false,
  random: (min: number, max: number) => number = (min, max) => min + Math.floor(Math.random() * (max - min)),
): number {
  if (mac.length !== 6) throw new RangeError(`MAC of ${mac.length} bytes (want 6)`);
  let num = ((mac[2]! << 24) | (mac[3]! << 16) | (mac[4]! << 8) | mac[5]!) >>> 0;
  // LONG_MAX on the 32-bit MCUs that run 2.7: the draw stays below 2^31.
  while (isTaken(num) || isReservedNodeNum(num)) num = random(NUM_RESERVED, 0x7fffffff) >>> 0;
  return num;
}
