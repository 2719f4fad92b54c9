/**
 * Hostile-input fuzzing of the Lattice v2 LoRa decoder at scale: `npm run bench -- --only v2-fuzz` feeds 1 000 000
 * inputs (random bytes, valid data, chain and ACK-like frames with flipped bits, truncated, extended, with random headers;
 * runtime/bearers/lora/v2/v2-frame-fuzz.ts) to the frame decoder, every 16th of them through the whole receive path
 * with real keys (hop MAC, group tag, key-hint resolution, AES-CCM). Any exception other than the two named decode
 * and reject errors fails the run (the bench reports the error and exits non-zero). `--fuzz-inputs N` changes the
 * count; `--quick` runs 100 000.
 */
import type { BenchRow } from './bench-row.js';
import { createBundle, withCustody } from '../runtime/bundle/create-bundle.js';
import { KeyBook } from '../runtime/bearers/lora/v2/key-book.js';
import { fuzzV2 } from '../runtime/bearers/lora/v2/v2-frame-fuzz.js';
import { encodeV2Bundle } from '../runtime/bearers/lora/v2/v2-link.js';
import { DEFAULT_GROUP_PSK, groupKey } from '../runtime/bearers/lora/v2/v2-keys.js';
import { SenderChain, encodeAnchor } from '../runtime/bearers/lora/v2/sender-chain.js';
import { encodeV2Chain } from '../runtime/bearers/lora/v2/v2-frame.js';
import { generateIdentity } from '../runtime/identity/identity.js';

export async function benchV2DecoderFuzz(options: { quick?: boolean; args?: readonly string[] } = {}): Promise<BenchRow[]> {
  const i = options.args?.indexOf('--fuzz-inputs') ?? -1;
  const n = i >= 0 ? Number(options.args![i + 1]) : options.quick ? 100_000 : 1_000_000;
  const [a, b, c] = [generateIdentity(), generateIdentity(), generateIdentity()];
  const gk = groupKey(DEFAULT_GROUP_PSK);
  const chain = new SenderChain(a);
  const stamp = 93_000_000;
  const dm = createBundle(a, { recipient: c.nodeId, text: 'fuzz me', stamp });
  const bc = createBundle(a, { recipient: null, text: 'fuzz me too', stamp });
  const seeds = [
    encodeV2Bundle(dm, { identity: a, groupKey: gk, inline: false, addressee: c.nodeId })!,
    encodeV2Bundle(withCustody(dm, b.shortId), { identity: b, groupKey: gk, inline: false, addressee: c.nodeId })!,
    encodeV2Bundle(withCustody(dm, b.shortId), { identity: b, groupKey: gk, inline: true, addressee: c.nodeId })!,
    encodeV2Bundle(bc, { identity: a, groupKey: gk, inline: false, senderMac: (s, body) => chain.mac(s, body) })!,
    // As a relay forwards it: the signature elided to the origin's sender MAC.
    encodeV2Bundle({ ...withCustody(bc, b.shortId), signature: chain.mac(stamp, bc.body) }, { identity: b, groupKey: gk, inline: false })!,
    encodeV2Chain({ type: 'chain', from: 1, anchor: encodeAnchor(chain.anchor(stamp)) }),
    encodeV2Chain({ type: 'chain', from: 1, key: { senderHint: 0x8a88, epoch: 3, interval: 7, key: new Uint8Array(16) } }),
  ];
  const book = new KeyBook();
  for (const id of [a, b]) book.learn(id.nodeId);
  const t0 = performance.now();
  const r = fuzzV2(n, seeds, { identity: c, groupKey: gk, book }, { seed: 0xc0ffee });
  const ms = performance.now() - t0;
  return [
    { name: 'v2 decoder fuzz: hostile inputs, no crash', value: r.inputs, unit: 'inputs', goal: '≥ 1,000,000 without a crash', pass: r.inputs >= 1_000_000,
      note: `${r.decoded} decoded, ${r.rejected.V2FrameDecodeError ?? 0} malformed, ${r.rejected.V2FrameRejectedError ?? 0} rejected (MAC/key); every 16th through MACs and AES-CCM` },
    { name: 'v2 decoder fuzz: rate', value: r.inputs / (ms / 1000), unit: 'inputs/s' },
  ];
}
