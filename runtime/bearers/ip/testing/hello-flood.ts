/**
 * Test support: signed HELLO datagrams from throwaway identities (issue 11's peer-table flood), each a valid advert of
 * a fresh Ed25519 key naming the flooder's own address, so every one passes the signature and address checks.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { Identity } from '../../../identity/identity.js';
import { signAdvert } from '../advert.js';
import { encodeDatagram } from '../datagram-codec.js';

/** Just enough of an Identity to sign adverts: no X25519 derivation, so thousands cost well under a second. */
function throwaway(): Identity {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const nodeId = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
  return {
    nodeId,
    nodeIdHex: Buffer.from(nodeId).toString('hex'),
    shortId: '',
    sign: (m) => new Uint8Array(sign(null, m, privateKey)),
    sharedSecret: () => {
      throw new Error('throwaway identity');
    },
  };
}

/** `n` HELLOs (want a reply) from `n` new identities claiming `host:port`. */
export function throwawayHellos(n: number, host: string, port: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const advert = signAdvert(throwaway(), { issuedAt: Date.now(), udpPort: port, tcpPort: port, addresses: [host] });
    out.push(encodeDatagram({ type: 'hello', wantReply: true, nonce: new Uint8Array(randomBytes(8)), capabilities: { version: 'flood', maxFrameBytes: 1200, bearers: ['ip'] }, advert }));
  }
  return out;
}
