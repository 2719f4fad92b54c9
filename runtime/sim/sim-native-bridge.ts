/**
 * One board, both meshes, in `lattice run`'s simulated default (issue 14): the relay's native Meshtastic radio
 * (`mt-sim`, sim-native-mesh.ts: Hilltop and Harbour) and its native MeshCore radio (`mc-sim`,
 * sim-native-meshcore.ts: Ridge and Cabin) are the bridge's two radios — no companion radio. Their channel chatter
 * crosses the bridge by itself; this adds the addressed DMs (Hilltop asks the relay's Meshtastic node
 * `@MC:Cabin …`, Cabin asks the relay's MeshCore node `@MT:Hilltop …`) and logs, on one line each, what a simulated
 * user hears from the relay's radios, so a newcomer sees text cross from one mesh to the other in the first minute.
 */
import type { ForeignMessage } from '../bearer/bearer.js';
import type { Logger } from '../log/logger.js';
import type { SimNativeMesh } from './sim-native-mesh.js';
import { SIM_MC_NATIVE_BEARER, type SimNativeMeshCore } from './sim-native-meshcore.js';
import { SIM_NATIVE_BEARER } from './sim-native-mesh.js';

/** When the DMs go (after both meshes' first lines), and how often they come again. */
const MT_DM_AT_MS = 9_000;
const MC_DM_AT_MS = 13_000;
const DM_EVERY_MS = 30_000;
/** A DM refused for want of the relay's key or contact is tried again this often, this many times. */
const RETRY_MS = 4_000;
const RETRIES = 5;

export class SimNativeBridge {
  private readonly offs: Array<() => void> = [];
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly o: {
    mt: SimNativeMesh;
    mc: SimNativeMeshCore;
    log: Logger;
    relayNodeNum: () => number | undefined;
    relayKey: () => string | undefined;
    /** The relay's MeshCore node adverts again (Cabin needs it as a contact to DM it). */
    relayAdvert: () => void;
  }) {}

  start(): void {
    const { mt, mc, log } = this.o;
    const listen = (mesh: 'Meshtastic' | 'MeshCore', name: string, node: { on(e: 'foreign', l: (m: ForeignMessage) => void): () => void } | undefined) => {
      if (!node) return;
      this.offs.push(node.on('foreign', (m) => {
        if (m.text === undefined) return;
        const where = m.direct ? 'as a DM' : mesh === 'MeshCore' ? 'on Public' : 'on channel 0';
        log.info(`heard on ${mesh} by ${name} ${where}`, { text: m.text, from: m.fromName ?? m.from });
      }));
    };
    listen('Meshtastic', 'Hilltop', mt.peer('hilltop'));
    listen('Meshtastic', 'Harbour', mt.peer('harbour'));
    listen('MeshCore', 'Cabin', mc.peer('cabin'));
    listen('MeshCore', 'Ridge', mc.peer('ridge'));
    this.every(MT_DM_AT_MS, () => this.mtDm());
    this.every(MC_DM_AT_MS, () => this.mcDm());
    log.info('the relay bridges its native radios', { meshtastic: SIM_NATIVE_BEARER, meshcore: SIM_MC_NATIVE_BEARER, note: 'Hilltop and Harbour (Meshtastic) and Cabin (MeshCore) hear each other through the relay; try "@MC:Cabin hi" from a Meshtastic app' });
  }

  private every(firstMs: number, f: () => Promise<void>): void {
    const run = () => void f().catch((err: Error) => this.o.log.warn('simulated DM failed', { err: err.message }));
    const t = setTimeout(() => {
      run();
      const i = setInterval(run, DM_EVERY_MS);
      i.unref();
      this.timers.push(i);
    }, firstMs);
    t.unref();
    this.timers.push(t);
  }

  private async mtDm(attempt = 0): Promise<void> {
    const num = this.o.relayNodeNum();
    const hilltop = this.o.mt.peer('hilltop');
    if (num === undefined || !hilltop) return;
    const text = '@MC:Cabin are you at the hut tonight?';
    const r = await hilltop.sendText({ to: `mt:!${num.toString(16).padStart(8, '0')}`, text });
    this.o.log.info('Hilltop says on Meshtastic to the relay', { text, status: r.status });
    // Refused while Hilltop has no key for the relay's node yet (its NodeInfo answer was lost): again shortly.
    if (r.status === 'refused' && attempt < RETRIES) this.later(() => this.mtDm(attempt + 1));
  }

  private async mcDm(attempt = 0): Promise<void> {
    const key = this.o.relayKey();
    const cabin = this.o.mc.peer('cabin');
    if (!key || !cabin) return;
    const text = '@MT:Hilltop thanks for the wind report';
    const r = await cabin.sendText({ to: `mc:${key}`, text });
    this.o.log.info('Cabin says on MeshCore to the relay', { text, status: r.status });
    // Refused while Cabin does not have the relay's node as a contact (its advert was lost): it adverts again.
    if (r.status === 'refused' && attempt < RETRIES) {
      this.o.relayAdvert();
      this.later(() => this.mcDm(attempt + 1));
    }
  }

  private later(f: () => Promise<void>): void {
    const t = setTimeout(() => void f().catch((err: Error) => this.o.log.warn('simulated DM failed', { err: err.message })), RETRY_MS);
    t.unref();
    this.timers.push(t);
  }

  stop(): void {
    for (const off of this.offs) off();
    for (const t of this.timers) clearTimeout(t);
  }
}
