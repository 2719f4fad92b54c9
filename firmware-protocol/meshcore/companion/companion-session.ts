/**
 * One attached client of the companion device (./companion-radio.ts). What the firmware holds once for its single
 * app connection is held here per client, so several apps can share one node: the protocol version it asked for
 * (app_target_ver: legacy or V3 message frames), its offline queue (every message reaches every client once), its
 * sign buffer, its pending request matchers (clearPendingReqs clears only its own) and its flood-scope override.
 * Replies go to the client whose command is being handled; pushes go to all (CompanionRadio.push).
 */
import { MESHCORE_MAX_FRAME_SIZE } from '../../framing/meshcore-frame.js';
import { FrameWriter } from '../bytes.js';
import { PUSH } from '../codes.js';
import type { McPath } from '../mesh/mesh-handler.js';
import { encodePathLen, PAYLOAD_TYPE } from '../ota/packet.js';
import type { CompanionClient, CompanionSession } from './companion-device.js';
import type { ContactInfo } from './contacts-table.js';

/** What the session needs of its device (kept narrow so the two files do not import each other's classes). */
export interface SessionHost {
  handleCommand(s: Session, frame: Uint8Array): void;
  detached(s: Session): void;
  dropped(reason: 'frame-too-big'): void;
  push(frame: Uint8Array): void;
  chat: { startConnection(c: ContactInfo, keepAliveSecs: number): boolean };
}

export interface PendingRequests {
  /** pk[0..4] as u32 (login, status: "legacy matching scheme"), tags for the others; 0 = none. */
  login: number;
  status: number;
  telemetry: number;
  req: number;
  discovery: number;
}

function u32(b: Uint8Array, at = 0): number {
  return ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;
}

export class Session implements CompanionSession {
  appTargetVer = 0;
  readonly queue: Uint8Array[] = [];
  /** CMD_SIGN_START … SIGN_FINISH buffer (MAX_SIGN_DATA_LEN). */
  signData: Uint8Array | undefined;
  signLen = 0;
  readonly pending: PendingRequests = { login: 0, status: 0, telemetry: 0, req: 0, discovery: 0 };
  sendScope = new Uint8Array(16);
  sendUnscoped = false;
  private closed = false;

  constructor(private readonly host: SessionHost, readonly client: CompanionClient, readonly kind: string) {}

  get isClosed(): boolean {
    return this.closed;
  }

  command(frame: Uint8Array): void {
    if (!this.closed) this.host.handleCommand(this, frame);
  }

  detach(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.signData = undefined;
    this.host.detached(this);
  }

  /** The device drops this client. */
  close(reason: string): void {
    if (this.closed) return;
    this.detach();
    try {
      this.client.close(reason);
    } catch {
      // the client is gone either way
    }
  }

  /** SerialWifiInterface::writeFrame: frames over MAX_FRAME_SIZE are dropped. */
  write(frame: Uint8Array): void {
    if (this.closed) return;
    if (frame.length > MESHCORE_MAX_FRAME_SIZE) {
      this.host.dropped('frame-too-big');
      return;
    }
    try {
      this.client.send(frame);
    } catch (err) {
      this.close(`send failed: ${(err as Error).message}`);
    }
  }

  clearPending(): void {
    this.pending.login = this.pending.status = this.pending.telemetry = this.pending.req = this.pending.discovery = 0;
  }

  /** MyMesh::onContactResponse for this client's pending requests: the push goes to every client. */
  matchResponse(contact: ContactInfo, data: Uint8Array): boolean {
    const tag = u32(data);
    const pk4 = u32(contact.publicKey);
    const pk6 = contact.publicKey.subarray(0, 6);
    const p = this.pending;
    const len = data.length;
    if (p.login && p.login === pk4) {
      p.login = 0;
      let frame: Uint8Array;
      if (data[4] === 0x4f && data[5] === 0x4b) {
        frame = new FrameWriter().u8(PUSH.LOGIN_SUCCESS).u8(0).bytes(pk6).done(); // legacy "OK"
      } else if (data[4] === 0) {
        const keepAliveSecs = (data[5] ?? 0) * 16;
        if (keepAliveSecs > 0) this.host.chat.startConnection(contact, keepAliveSecs);
        frame = new FrameWriter().u8(PUSH.LOGIN_SUCCESS).u8(data[6] ?? 0).bytes(pk6).u32(tag).u8(data[7] ?? 0).u8(data[12] ?? 0).done();
      } else {
        frame = new FrameWriter().u8(PUSH.LOGIN_FAIL).u8(0).bytes(pk6).done();
      }
      this.host.push(frame);
      return true;
    }
    const body = data.subarray(4, Math.min(len, 4 + MESHCORE_MAX_FRAME_SIZE - 12));
    if (len > 4 && p.status && p.status === pk4) {
      p.status = 0;
      this.host.push(new FrameWriter().u8(PUSH.STATUS_RESPONSE).u8(0).bytes(pk6).bytes(body).done());
      return true;
    }
    if (len > 4 && p.telemetry && tag === p.telemetry) {
      p.telemetry = 0;
      this.host.push(new FrameWriter().u8(PUSH.TELEMETRY_RESPONSE).u8(0).bytes(pk6).bytes(body).done());
      return true;
    }
    if (len > 4 && p.req && tag === p.req) {
      p.req = 0;
      this.host.push(new FrameWriter().u8(PUSH.BINARY_RESPONSE).u8(0).u32(tag).bytes(body).done());
      return true;
    }
    return false;
  }

  /** MyMesh::onContactPathRecv: a PATH carrying the response to our path discovery → PUSH 0x8D, no reciprocal path. */
  matchDiscovery(contact: ContactInfo, inPath: McPath, outPath: McPath, extraType: number, extra: Uint8Array): boolean | undefined {
    if (extraType !== PAYLOAD_TYPE.RESPONSE || extra.length <= 4 || !this.pending.discovery || u32(extra) !== this.pending.discovery) return undefined;
    this.pending.discovery = 0;
    const count = (p: McPath) => p.bytes.length / p.hashSize;
    this.host.push(new FrameWriter().u8(PUSH.PATH_DISCOVERY_RESPONSE).u8(0).bytes(contact.publicKey.subarray(0, 6))
      .u8(encodePathLen(outPath.hashSize, count(outPath))).bytes(outPath.bytes)
      .u8(encodePathLen(inPath.hashSize, count(inPath))).bytes(inPath.bytes).done());
    return false;
  }
}
