/**
 * Worker side of the verify pool: decodes and fully verifies batches of encoded bundles with the same
 * verifyBundle() the main thread uses, and answers per item: null (valid) or the rejection reason.
 */
import { parentPort } from 'node:worker_threads';
import { decodeBundle } from '../bundle/bundle-codec.js';
import { BundleRejectedError } from '../bundle/errors.js';
import { verifyBundle } from '../bundle/verify-bundle.js';

export interface VerifyRequest {
  seq: number;
  bytes: Uint8Array;
  now: number;
}

export interface VerifyAnswer {
  seq: number;
  /** undefined: valid. */
  reason?: string;
  detail?: string;
}

parentPort?.on('message', (batch: VerifyRequest[]) => {
  const out: VerifyAnswer[] = [];
  for (const r of batch) {
    try {
      verifyBundle(decodeBundle(r.bytes), { now: r.now });
      out.push({ seq: r.seq });
    } catch (err) {
      if (err instanceof BundleRejectedError) out.push({ seq: r.seq, reason: err.reason, detail: err.message });
      else out.push({ seq: r.seq, reason: 'malformed', detail: (err as Error).message });
    }
  }
  parentPort!.postMessage(out);
});
