/**
 * Test support: an antenna on `lattice sim air` (drivers/sx126x/sim/AIR-PROTOCOL.md) that only listens, at a place
 * on the air, tuned to a modulation: every frame it hears, in order. A test reads what went on the air from it
 * (hop fields, who relayed, whether a text decrypts) without trusting any node's own account.
 */
import { connect, type Socket } from 'node:net';
import type { LoraModulation } from '../../../../lib/lora/modulation.js';
import { waitFor } from '../../../../lib/testing/wait-for.js';

export interface HeardFrame {
  bytes: Uint8Array;
  rssiDbm: number;
  snrDb: number;
}

export class AirSniffer {
  readonly frames: HeardFrame[] = [];
  private tuned = false;
  private buf = '';

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buf += chunk;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        const m = JSON.parse(line) as { op: string; data?: string; rssiDbm?: number; snrDb?: number };
        if (m.op === 'tuned') this.tuned = true;
        if (m.op === 'rx') this.frames.push({ bytes: new Uint8Array(Buffer.from(m.data!, 'hex')), rssiDbm: m.rssiDbm!, snrDb: m.snrDb! });
      }
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, m: LoraModulation, at: [number, number]): Promise<AirSniffer> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const s = new AirSniffer(socket);
    socket.write(JSON.stringify({
      op: 'tune', freqHz: m.frequencyHz, bwHz: m.bandwidthHz, sf: m.spreadingFactor, cr: m.codingRate, syncWord: m.syncWord,
      preamble: m.preambleLength, x: at[0], y: at[1],
    }) + '\n');
    await waitFor('the sniffer is tuned', () => s.tuned, 5000);
    return s;
  }

  close(): void {
    this.socket.destroy();
  }
}
