/**
 * `hal: sim`: a `lora:` entry's radio on the shared air of `lattice sim air` (drivers/sx126x/sim/open-sim-radio.ts:
 * the real driver on an emulated chip whose RF side is that air). The link to the air reconnects with back-off on
 * its own; here its ups and downs become log lines and metrics, so a dropped air never stops the relay:
 *   lattice_lora_air_drops_total{bearer}       links to the air lost after they were up
 *   lattice_lora_air_reconnects_total{bearer}  links made again after a loss or a failed attempt
 *   lattice_lora_air_lost_total{bearer,reason} tx-without-air (sent while the air was away: TxDone after its time on
 *                                              air, heard by no one) | tx-refused (the air said busy or untuned) |
 *                                              bad-line (a line from the air that was not an event)
 */
import type { Components } from '../../components/components.js';
import { airPositionOf } from './geo-position.js';
import type { LoraConfig } from './lora-config.js';

export async function openSimAirRadio(l: LoraConfig) {
  if (!l.air) throw new Error(`lora ${l.name}: hal sim needs air: HOST:PORT (where \`lattice sim air\` listens)`);
  const { openSimSx126x } = await import('../../../drivers/sx126x/sim/open-sim-radio.js');
  const position = airPositionOf(l.position);
  const sim = openSimSx126x({ name: l.name, air: { host: l.air.host, port: l.air.port }, position });
  const where = `${l.air.host}:${l.air.port}`;
  /** Reports the link to the air in the bearer's log and metrics (called once the components exist). */
  const watch = (components: Components) => {
    const log = components.logger.forComponent(l.name);
    const drops = components.metrics?.counter({ name: 'lattice_lora_air_drops_total', help: 'Links to the simulated air (hal: sim) lost after they were up', labelNames: ['bearer'] });
    const reconnects = components.metrics?.counter({ name: 'lattice_lora_air_reconnects_total', help: 'Links to the simulated air (hal: sim) made again after a loss or a failed attempt', labelNames: ['bearer'] });
    const lost = components.metrics?.counter({ name: 'lattice_lora_air_lost_total', help: 'Frames and lines lost between the emulated radio and the simulated air (hal: sim)', labelNames: ['bearer', 'reason'] });
    sim.port.onLoss((reason) => lost?.inc({ bearer: l.name, reason }));
    let failing = false;
    sim.port.onLinkEvent((e) => {
      if (e.type === 'connected') {
        failing = false;
        if (e.reconnect) reconnects?.inc({ bearer: l.name });
        log.info(e.reconnect ? 'back on the simulated air' : 'on the simulated air', { air: where, x: position.x, y: position.y });
      } else if (e.type === 'dropped') {
        drops?.inc({ bearer: l.name });
        log.warn('link to the simulated air lost; reconnecting', { air: where, reason: e.reason });
      } else if (!failing) {
        // One line per outage, not one per attempt.
        failing = true;
        log.warn('simulated air not reachable; retrying with back-off', { air: where, reason: e.reason });
      }
    });
  };
  return { radio: sim.radio, close: () => sim.close(), watch };
}
