/**
 * The companion's table of expected ACKs (examples/companion_radio/MyMesh.h expected_ack_table,
 * EXPECTED_ACK_TABLE_SIZE, a ring overwritten oldest first; MyMesh::processAck).
 */
import { EXPECTED_ACK_TABLE_SIZE } from '../codes.js';
import type { ContactInfo } from './contacts-table.js';

export interface ExpectedAck {
  ack: number;
  sentAtMs: number;
  contact: ContactInfo;
}

export class ExpectedAcks {
  readonly entries: Array<ExpectedAck | undefined> = new Array(EXPECTED_ACK_TABLE_SIZE).fill(undefined);
  private next = 0;

  expect(ack: number, contact: ContactInfo, nowMs: number): void {
    this.entries[this.next] = { ack, sentAtMs: nowMs, contact };
    this.next = (this.next + 1) % this.entries.length;
  }

  /** The entry an ACK confirms, cleared from the table (one confirmation per send). */
  take(ack: number): ExpectedAck | undefined {
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e && e.ack === ack) {
        this.entries[i] = undefined;
        return e;
      }
    }
    return undefined;
  }

  clear(): void {
    this.entries.fill(undefined);
  }
}
