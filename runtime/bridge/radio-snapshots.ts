/**
 * The bridge's view of its two radios, with a memory. While a radio is down (unplugged, rebooting, not yet reconnected
 * after a restart) its gateway reports no channels nor contacts, so the last view seen up stands in, kept in the
 * bridge's store across restarts. Without it, text arriving during an unplug would find no mapped channel and be
 * dropped instead of queued for when the radio returns.
 *
 * Each new view seen up is checked against the mappings: a mapping naming a channel the radio does not have (a typo,
 * or a hashtag channel not yet added on the radio) is warned about once, since its text would otherwise be ignored
 * without a word; said again if the channel disappears later.
 */
import type { RadioGateway } from '../bearer/radio-gateway.js';
import type { BridgeConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import type { MeshNet } from './attribution.js';
import { channelIndex, viewRadio, type RadioView } from './radio-view.js';

/** What the bridge remembers of a radio seen up. */
export type RadioSnapshot = Pick<RadioView, 'channels' | 'nodes' | 'modulation' | 'selfAddress' | 'selfName'>;

/** Where snapshots are kept (the bridge queue's store). */
export interface SnapshotStore {
  readonly isOpen: boolean;
  getSnapshot<T>(key: string): T | undefined;
  setSnapshot(key: string, value: unknown): Promise<void>;
}

export interface RadioSnapshotsInit {
  radios: Record<MeshNet, RadioGateway>;
  store: SnapshotStore;
  mappings: BridgeConfig['mappings'];
  log: Logger;
}

export class RadioSnapshots {
  /** JSON of the last snapshot saved per radio, so an unchanged view is not written again. */
  private readonly saved = new Map<MeshNet, string>();
  /** Mappings already warned about as naming a channel their radio lacks (`net|channel`). */
  private readonly missingChannels = new Set<string>();

  constructor(private readonly init: RadioSnapshotsInit) {}

  /** The radio as it is now, without the memory (for airtime estimates, asked only while the radio is up). */
  live(net: MeshNet): RadioView {
    return viewRadio(net, this.init.radios[net]);
  }

  /** The radio as it is now, or while it is down, as it was last seen up. */
  view(net: MeshNet): RadioView {
    const v = this.live(net);
    const { store } = this.init;
    const key = `view:${net}`;
    if (v.up && v.channels.length > 0) {
      const snap: RadioSnapshot = { channels: v.channels, nodes: v.nodes, modulation: v.modulation, ...(v.selfAddress ? { selfAddress: v.selfAddress } : {}), ...(v.selfName ? { selfName: v.selfName } : {}) };
      const json = JSON.stringify(snap);
      if (this.saved.get(net) !== json) {
        this.saved.set(net, json);
        this.checkMappings(net, v);
        // Not awaited: a snapshot lost to a crash is taken again the next time the radio is seen up.
        if (store.isOpen) void store.setSnapshot(key, snap).catch((err) => this.init.log.warn('radio snapshot not saved', { net, err: String(err) }));
      }
      return v;
    }
    if (v.up) return v;
    const last = store.isOpen ? store.getSnapshot<RadioSnapshot>(key) : undefined;
    return last ? { ...v, ...last, up: false } : v;
  }

  private checkMappings(net: MeshNet, v: RadioView): void {
    for (const m of this.init.mappings) {
      const want = net === 'mt' ? m.meshtastic : m.meshcore;
      const key = `${net}|${String(want)}`;
      const index = channelIndex(v, want);
      if (index !== undefined && v.channels.some((c) => c.index === index)) {
        this.missingChannels.delete(key);
        continue;
      }
      if (this.missingChannels.has(key)) continue;
      this.missingChannels.add(key);
      this.init.log.warn('bridge mapping names a channel this radio does not have; nothing is bridged on it until it exists', {
        radio: v.name, channel: want, channels: v.channels.map((c) => `${c.index}:${c.name || '(unnamed)'}`).join(', '),
      });
    }
  }
}
