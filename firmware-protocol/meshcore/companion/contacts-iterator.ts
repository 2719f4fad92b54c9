/**
 * CMD_GET_CONTACTS as the firmware paces it (examples/companion_radio/MyMesh.cpp handleCmdFrame CMD_GET_CONTACTS and
 * checkSerialInterface; src/helpers/BaseChatMesh.cpp ContactsIterator): the command answers CONTACTS_START (the
 * total count) and starts an iterator; each later loop turn writes ONE CONTACT frame (those with lastmod > since)
 * when the interface is not write-busy, then END_OF_CONTACTS with the most recent lastmod. While the iterator runs,
 * another CMD_GET_CONTACTS is ERR_CODE_BAD_STATE ("iterator is currently busy"); CMD_APP_START stops it.
 *
 * The firmware has one iterator for its one app connection. Our clients are separate sessions, so each has its own:
 * a second GET_CONTACTS from the SAME client during its iteration gets ERR 4, another client is not blocked.
 * The interfaces we present (serial, TCP) are never write-busy in the firmware (ArduinoSerialInterface and
 * SerialWifiInterface::isWriteBusy return false), so the pace is one frame a loop turn (a macrotask here: commands
 * arriving meanwhile are handled between frames, as the firmware handles a received frame instead of iterating).
 */
import { FrameWriter } from '../bytes.js';
import { RESP } from '../codes.js';
import { writeContactRecord } from '../contact-record.js';
import type { Session } from './companion-session.js';
import type { ContactInfo } from './contacts-table.js';

/** A running iterator of one session (_iter, _iter_filter_since, _most_recent_lastmod). */
export interface ContactsIteration {
  next: number;
  since: number;
  mostRecent: number;
}

export class ContactsIterator {
  private readonly running = new Set<Session>();
  private scheduled = false;

  /** `contacts`: the live table (the firmware iterates the slots as they are at each step). */
  constructor(private readonly contacts: () => readonly ContactInfo[]) {}

  /** CMD_GET_CONTACTS: false (ERR_CODE_BAD_STATE) while this session's iterator runs, else CONTACTS_START is written. */
  start(s: Session, since: number): boolean {
    if (s.contactsIter) return false;
    s.write(new FrameWriter().u8(RESP.CONTACTS_START).u32(this.contacts().length).done());
    s.contactsIter = { next: 0, since, mostRecent: 0 };
    this.running.add(s);
    this.schedule();
    return true;
  }

  /** CMD_APP_START ("stop any left-over ContactsIterator") and a detached session. */
  stop(s: Session): void {
    s.contactsIter = undefined;
    this.running.delete(s);
  }

  private schedule(): void {
    if (this.scheduled || this.running.size === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const s of [...this.running]) this.step(s);
      this.schedule();
    });
  }

  /** One turn of checkSerialInterface for one session: a CONTACT frame (or none, filtered), or END_OF_CONTACTS. */
  private step(s: Session): void {
    const it = s.contactsIter;
    if (!it || s.isClosed) {
      this.stop(s);
      return;
    }
    const all = this.contacts();
    if (it.next < all.length) {
      const c = all[it.next++];
      if (c.lastMod > it.since) {
        s.write(writeContactRecord(new FrameWriter().u8(RESP.CONTACT), c).done());
        if (c.lastMod > it.mostRecent) it.mostRecent = c.lastMod;
      }
      return;
    }
    this.stop(s);
    s.write(new FrameWriter().u8(RESP.END_OF_CONTACTS).u32(it.mostRecent).done());
  }
}
