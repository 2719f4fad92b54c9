/**
 * Is the modem in the middle of a frame? The rule of the Meshtastic firmware (meshtastic/firmware:
 * src/mesh/SX126xInterface.cpp isActivelyReceiving, src/mesh/RadioLibInterface.cpp receiveDetected): a frame is
 * under way while PreambleDetected or HeaderValid is latched; a transmit waits for it instead of cutting it off and
 * overwriting the shared buffer. A flag that stands too long is a false detection (noise that looked like a
 * preamble, a frame with another sync word, a header error) and is ignored: PreambleDetected alone for more than two
 * preamble times (the firmware's rule) but never before a header could have come, HeaderValid for more than the
 * longest frame. RxDone still set means a packet is waiting to be read
 * out: that, too, must not be overwritten.
 */
import { symbolTimeMs, type LoraModulation } from '../../lib/lora/modulation.js';
import { timeOnAirMs } from '../../lib/lora/time-on-air.js';
import { Irq } from './irq.js';
import { MAX_PAYLOAD } from './params.js';

/** IRQ bits that mean "a frame is being received or waits to be read". */
export const RX_ACTIVE_IRQS = Irq.PreambleDetected | Irq.HeaderValid | Irq.RxDone;
/** IRQ bits cleared when a detection turns out to be false. */
export const RX_STALE_IRQS = Irq.PreambleDetected | Irq.HeaderValid | Irq.HeaderErr;

/** How long the flags in `irq` may stand before they are taken as a false detection, ms. */
export function rxActivityLimitMs(m: LoraModulation, irq: number): number {
  const longestFrame = timeOnAirMs(m, m.explicitHeader ? MAX_PAYLOAD : (m.implicitPayloadLength ?? MAX_PAYLOAD));
  if (irq & (Irq.HeaderValid | Irq.RxDone)) return longestFrame;
  // Implicit header: no HeaderValid ever comes, the frame runs from preamble to RxDone.
  if (!m.explicitHeader) return longestFrame;
  // The firmware waits 2 × preamble for HeaderValid, which suffices for its 16-symbol preambles. The header is
  // decoded only after the preamble, 4.25 symbols of sync word and delimiter and 8 header symbols (SX126x DS §6.1.4:
  // the explicit header is sent at CR 4/8): with a short preamble (8 symbols: 20.25 symbols to HeaderValid) two
  // preamble times end first, and a transmit would cut a real frame off. Two symbols more cover the poll step.
  const headerDueSymbols = m.preambleLength + (m.spreadingFactor <= 6 ? 6.25 : 4.25) + 8 + 2;
  return Math.max(2 * m.preambleLength, headerDueSymbols) * symbolTimeMs(m);
}

/** How often to look again while waiting for a frame to end: one symbol (at least 1 ms). */
export function rxActivityPollMs(m: LoraModulation): number {
  return Math.max(1, symbolTimeMs(m));
}
