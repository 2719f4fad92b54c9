/**
 * The domain key (`ip.psk`, `LATTICE_IP_PSK`): relays that share it form a closed domain on an open network. With a
 * key set, every datagram this relay sends carries a tag proving the key, every datagram without a valid tag is
 * dropped (and counted) before it is parsed, and a TCP connection must open with a tagged HELLO before the
 * acceptor signs anything (PROTOCOL.md, "Domain key").
 *
 *   tagged datagram   'L' 'T'  version | 0x80  type  body …  tag 16
 *   tag               first 16 bytes of HMAC-SHA256(K_datagram, every byte before the tag)
 *   TCP HELLO         connector id 32 | connector nonce 16 | tag 16
 *   tag               first 16 bytes of HMAC-SHA256(K_tcp, "hello" | connector id | connector nonce)
 *   K_purpose         HMAC-SHA256(key = the psk's UTF-8 bytes, "lattice/ip-psk/v1\0" | purpose)
 *
 * The key itself never leaves the relay and is not kept here after the derivation; `id` (a short fingerprint,
 * safe to log and to show in status) lets operators compare keys across relays. A tag is a MAC over public bytes,
 * so a weak key can be guessed offline by anyone who records one datagram: hence the length rule below.
 * 16-byte tags (HMAC truncated to half its output, RFC 2104 §5) leave a forger a 2^-128 chance per try.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DOMAIN_TAG_BYTES = 16;
/** Bit 7 of the datagram version byte: a domain tag follows the body. Untagged relays refuse it as `version`. */
export const DOMAIN_FLAG = 0x80;
export const PSK_MIN_CHARS = 32;
export const PSK_MAX_CHARS = 256;
const PRINTABLE = /^[\x21-\x7e]+$/;
const LABEL = 'lattice/ip-psk/v1\0';
const MAGIC0 = 0x4c;
const MAGIC1 = 0x54;
const HEADER = 4;

/** Why a datagram was refused; each labels lattice_ip_discarded_total{reason}. */
export type DomainRefusal = 'not-lattice' | 'psk-missing' | 'psk-bad';

/**
 * The rules a psk must meet, or undefined when it does: 32 to 256 printable ASCII characters without spaces
 * (`openssl rand -hex 32` gives 64). The message never repeats the value: it is a secret.
 */
export function pskProblem(psk: string): string | undefined {
  if (psk.length < PSK_MIN_CHARS) return `must be at least ${PSK_MIN_CHARS} characters (e.g. the output of \`openssl rand -hex 32\`), got ${psk.length}`;
  if (psk.length > PSK_MAX_CHARS) return `must be at most ${PSK_MAX_CHARS} characters, got ${psk.length}`;
  if (!PRINTABLE.test(psk)) return 'must be printable ASCII without spaces or control characters';
  return undefined;
}

function derive(psk: string, purpose: string): Buffer {
  return createHmac('sha256', Buffer.from(psk, 'utf8')).update(LABEL + purpose).digest();
}

function tag(key: Buffer, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest().subarray(0, DOMAIN_TAG_BYTES);
}

const HELLO_LABEL = new TextEncoder().encode('hello');

export class DomainKey {
  /** 8 hex characters naming the key (not the key): equal on relays that share it. */
  readonly id: string;
  private readonly datagramKey: Buffer;
  private readonly tcpKey: Buffer;

  /** Throws RangeError (without the value) on a psk that breaks pskProblem's rules. */
  constructor(psk: string) {
    const problem = typeof psk === 'string' ? pskProblem(psk) : 'must be a string';
    if (problem) throw new RangeError(`ip psk ${problem}`);
    this.datagramKey = derive(psk, 'datagram');
    this.tcpKey = derive(psk, 'tcp');
    this.id = derive(psk, 'key-id').subarray(0, 4).toString('hex');
  }

  /** The datagram as it goes on the wire: the flag set in the version byte, the tag appended. */
  seal(datagram: Uint8Array): Uint8Array {
    if (datagram.length < HEADER) throw new RangeError('not a datagram');
    const out = new Uint8Array(datagram.length + DOMAIN_TAG_BYTES);
    out.set(datagram, 0);
    out[2] = datagram[2]! | DOMAIN_FLAG;
    out.set(tag(this.datagramKey, out.subarray(0, datagram.length)), datagram.length);
    return out;
  }

  /** The inner datagram (flag cleared, tag removed), or why it is refused. Checks nothing but the envelope. */
  open(bytes: Uint8Array): Uint8Array | DomainRefusal {
    if (bytes.length < HEADER || bytes[0] !== MAGIC0 || bytes[1] !== MAGIC1) return 'not-lattice';
    if ((bytes[2]! & DOMAIN_FLAG) === 0 || bytes.length < HEADER + DOMAIN_TAG_BYTES) return 'psk-missing';
    const end = bytes.length - DOMAIN_TAG_BYTES;
    const want = tag(this.datagramKey, bytes.subarray(0, end));
    if (!timingSafeEqual(want, bytes.subarray(end))) return 'psk-bad';
    const inner = bytes.slice(0, end);
    inner[2] = inner[2]! & ~DOMAIN_FLAG;
    return inner;
  }

  /** Tag of a TCP HELLO (tcp-handshake.ts): proves the connector holds the key before the acceptor signs. */
  helloTag(connectorId: Uint8Array, connectorNonce: Uint8Array): Uint8Array {
    return new Uint8Array(tag(this.tcpKey, HELLO_LABEL, connectorId, connectorNonce));
  }

  checkHelloTag(connectorId: Uint8Array, connectorNonce: Uint8Array, got: Uint8Array | undefined): boolean {
    if (!got || got.length !== DOMAIN_TAG_BYTES) return false;
    return timingSafeEqual(tag(this.tcpKey, HELLO_LABEL, connectorId, connectorNonce), got);
  }

  /** Never the key: logs and status that stringify the object see only its id. */
  toJSON(): { id: string } {
    return { id: this.id };
  }

  /** console.log / util.inspect: the derived keys are as secret as the psk. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `DomainKey { id: '${this.id}' }`;
  }
}
