/**
 * DM delivery after the first RESP_CODE_SENT. The firmware never retries a DM (MyMesh.cpp CMD_SEND_TXT_MSG sends
 * once and remembers the expected ACK in an 8-entry table); apps re-send with attempt+1 (a new ACK code) and, on a
 * late attempt, RESET_PATH so the next send floods (MeshCore:docs/faq.md). This does the same with exponential backoff until
 * PUSH_CODE_SEND_CONFIRMED carries the ACK of any attempt, or the bundle expires. Only the in-flight DMs are held
 * here (bounded by EXPECTED_ACK_TABLE_SIZE): everything else stays in the router's vault.
 */
import type { MeshCoreSession } from '../../../firmware-protocol/meshcore/client-session.js';
import type { SendConfirmed, SentInfo } from '../../../firmware-protocol/meshcore/device-frames.js';
import { MAX_TEXT_LEN } from '../../../firmware-protocol/meshcore/codes.js';

export interface DmRetryPolicy {
  /** Wait at least this long for SEND_CONFIRMED, even if the radio estimates less. */
  minAckWaitMs: number;
  /** Multiplies the radio's est_timeout (RESP_CODE_SENT) to get the ACK wait. */
  ackWaitFactor: number;
  /** Extra pause before re-sending: base × 2^(attempt-1), capped. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** From this attempt on, reset the contact's path first so the DM floods (the app does it on its last retry). */
  resetPathAtAttempt: number;
}

export const DEFAULT_DM_RETRY: DmRetryPolicy = {
  minAckWaitMs: 2000,
  ackWaitFactor: 1.5,
  backoffBaseMs: 2000,
  // Each retry of an unconfirmed DM may flood the mesh: back off far, and rely on wake() (the contact was heard
  // again) to retry early when it is likely to get through.
  backoffMaxMs: 15 * 60_000,
  resetPathAtAttempt: 2,
};

export interface DmJob {
  peer: string;
  key: Uint8Array;
  text: string;
  textBytes: number;
  senderTimestamp: number;
  expiresAt: number;
  attempt: number;
  acks: Set<number>;
  sentAt: number;
  confirmation?: SendConfirmed;
  onConfirm?: (c: SendConfirmed) => void;
  /** Set while backing off: ends the wait early (the contact advertised or its path changed). */
  wake?: () => void;
  lastSendAt: number;
}

export interface DmRetryHost {
  now(): number;
  /** The current session, once the link is up (waits through reconnects); rejects when the gateway stops. */
  session(signal: AbortSignal): Promise<MeshCoreSession>;
  onRetry(job: DmJob): void;
  onConfirmed(job: DmJob, c: SendConfirmed): void;
  onExpired(job: DmJob): void;
}

/** Resolves the confirmation, or null after ms. */
function awaitConfirmation(job: DmJob, ms: number, signal: AbortSignal): Promise<SendConfirmed | null> {
  if (job.confirmation) return Promise.resolve(job.confirmation);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const done = (v: SendConfirmed | null) => {
      clearTimeout(t);
      signal.removeEventListener('abort', onAbort);
      job.onConfirm = undefined;
      job.wake = undefined;
      resolve(v);
    };
    const onAbort = () => { clearTimeout(t); job.onConfirm = undefined; job.wake = undefined; reject(signal.reason); };
    const t = setTimeout(() => done(null), Math.max(0, ms));
    job.onConfirm = (c) => done(c);
    job.wake = () => done(null);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The attempt byte: the firmware takes > 3 but then needs 2 bytes of the 160-byte budget (composeMsgPacket). */
export function attemptByte(attempt: number, textBytes: number): number {
  if (textBytes > MAX_TEXT_LEN - 2) return Math.min(attempt, 3);
  return Math.min(attempt, 255);
}

/** Runs until confirmed, expired or aborted. Never throws except on abort. */
export async function runDmRetries(job: DmJob, first: SentInfo, host: DmRetryHost, policy: DmRetryPolicy, signal: AbortSignal): Promise<void> {
  let sent: SentInfo | null = first;
  for (;;) {
    const wait = sent ? Math.max(policy.minAckWaitMs, sent.estTimeoutMs * policy.ackWaitFactor) : 0;
    const backoff = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.max(0, job.attempt));
    // A late ACK during the backoff still counts: any attempt's code confirms the message.
    const remaining = job.expiresAt - host.now();
    const c = await awaitConfirmation(job, Math.min(wait + backoff, Math.max(0, remaining)), signal);
    if (c) return host.onConfirmed(job, c);
    if (host.now() >= job.expiresAt) return host.onExpired(job);
    const session = await host.session(signal);
    if (job.confirmation) return host.onConfirmed(job, job.confirmation);
    job.attempt++;
    try {
      if (job.attempt === policy.resetPathAtAttempt) {
        await session.resetPath(job.key, { signal }).catch(() => undefined);
      }
      sent = await session.sendDirectMessage(job.key, job.text, {
        attempt: attemptByte(job.attempt, job.textBytes), senderTimestamp: job.senderTimestamp, signal,
      });
      job.acks.add(sent.expectedAck);
      job.lastSendAt = host.now();
      host.onRetry(job);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      // Link dropped mid-command, radio busy, or contact gone: try again after the backoff, until expiry.
      sent = null;
    }
  }
}
