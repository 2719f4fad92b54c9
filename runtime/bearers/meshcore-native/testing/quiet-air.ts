/**
 * Test pacing on `lattice sim air`: a listening antenna on the MeshCore channel (the native Meshtastic tests'
 * AirSniffer) and a wait until nothing has been heard for a while. A receiver on the simulated air misses a frame
 * that starts right as the one before ends (it re-arms RX after RxDone) and the air has no CAD, so a test stimulus sent
 * back to back with a repeater's forward of the step before would be lost; each step first waits for the forwards of
 * the step before to be done. Test-only.
 */
import type { LoraModulation } from '../../../../lib/lora/modulation.js';
import { waitFor } from '../../../../lib/testing/wait-for.js';
import { AirSniffer } from '../../meshtastic-native/testing/air-sniffer.js';

export interface QuietAir {
  readonly sniffer: AirSniffer;
  /** Resolves once no frame was heard for `quietMs`. */
  quiet(): Promise<void>;
  close(): void;
}

/** `quietMs` must exceed a repeater's largest flood delay (5 × airtime/2 of the frame) plus a frame. */
export async function quietAir(airPort: number, modulation: LoraModulation, at: [number, number], quietMs: number): Promise<QuietAir> {
  const sniffer = await AirSniffer.open(airPort, modulation, at);
  return {
    sniffer,
    async quiet() {
      let n = -1;
      let since = Date.now();
      await waitFor('a quiet air', () => {
        if (sniffer.frames.length !== n) {
          n = sniffer.frames.length;
          since = Date.now();
        }
        return Date.now() - since >= quietMs;
      });
    },
    close: () => sniffer.close(),
  };
}
