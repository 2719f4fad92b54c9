/**
 * A MeshCore app as tests drive one: @liamcottle/meshcore.js (the library the official web app is built on, an
 * independent implementation of the companion protocol's client side) on a companion TCP port, collecting what an
 * app shows — messages fetched after each `msg waiting` push (as the apps sync them), confirmed sends, login
 * results. Test-only.
 */
import { Constants, TCPConnection } from '@liamcottle/meshcore.js';

export interface AppMessage {
  kind: 'contact' | 'channel';
  text: string;
  /** Contact messages: the sender's key prefix (hex, 6 bytes); channel messages: the channel index. */
  from: string;
  txtType: number;
  pathLen: number;
  senderTimestamp: number;
}

export class McApp {
  readonly messages: AppMessage[] = [];
  readonly confirmed: number[] = [];
  private syncing = false;
  private again = false;

  private constructor(readonly conn: TCPConnection) {}

  static async connect(port: number, host = '127.0.0.1'): Promise<McApp> {
    const conn = new TCPConnection(host, port);
    const app = new McApp(conn);
    const connected = new Promise<void>((resolve) => conn.once('connected', () => resolve()));
    conn.on(Constants.PushCodes.MsgWaiting, () => void app.sync());
    conn.on(Constants.PushCodes.SendConfirmed, (e: { ackCode: number }) => app.confirmed.push(e.ackCode));
    await conn.connect();
    await connected;
    // Messages that were waiting before we connected.
    void app.sync();
    return app;
  }

  /** Fetches every waiting message (CMD_SYNC_NEXT_MESSAGE until NO_MORE_MESSAGES). */
  async sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = true;
    try {
      do {
        this.again = false;
        for (;;) {
          const m = await this.conn.syncNextMessage();
          if (!m) break;
          if (m.contactMessage) {
            const c = m.contactMessage;
            this.messages.push({ kind: 'contact', text: c.text, from: Buffer.from(c.pubKeyPrefix).toString('hex'), txtType: c.txtType, pathLen: c.pathLen, senderTimestamp: c.senderTimestamp });
          } else if (m.channelMessage) {
            const c = m.channelMessage;
            this.messages.push({ kind: 'channel', text: c.text, from: String(c.channelIdx), txtType: c.txtType, pathLen: c.pathLen, senderTimestamp: c.senderTimestamp });
          }
        }
      } while (this.again);
    } catch {
      // the connection closed mid-sync (end of test)
    } finally {
      this.syncing = false;
    }
  }

  /** CMD_SEND_LOGIN; resolves on the LOGIN_SUCCESS push from that node. */
  async login(publicKey: Uint8Array, password: string): Promise<void> {
    const ok = new Promise<void>((resolve) => this.conn.once(Constants.PushCodes.LoginSuccess, () => resolve()));
    await (this.conn as unknown as { sendCommandSendLogin(k: Uint8Array, p: string): Promise<void> }).sendCommandSendLogin(publicKey, password);
    await ok;
  }

  /** CMD_SEND_SELF_ADVERT, flood. */
  async floodAdvert(): Promise<void> {
    await (this.conn as unknown as { sendFloodAdvert(): Promise<void> }).sendFloodAdvert();
  }

  async close(): Promise<void> {
    try {
      await this.conn.close();
    } catch {
      // already closed
    }
  }
}
