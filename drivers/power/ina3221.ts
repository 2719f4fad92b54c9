/**
 * INA3221 (TI SBOS576C): three channels of shunt and bus voltage, no current, power or calibration registers, so
 * amps = shunt volts / shuntOhms and watts = volts × amps here. Channels map to roles by config
 * (`channels: { battery: 1, panel: 2, load: 3 }`); unmapped channels are switched off (CHnen = 0), which also
 * shortens the conversion cycle.
 *
 * Signs (shunt voltage is positive from IN+ to IN−, §7.6.2.2): battery IN+ on the charger side (charging positive),
 * panel IN+ on the panel side (harvest positive), load IN+ on the supply side (consumption positive).
 *
 * Brown-out: a reset chip is back at Configuration 7127h (all channels on, averaging 1); the driver's configuration
 * differs from it by construction (averaging 1 with both times at 1.1 ms and all three channels mapped is refused).
 */
import { ina2xxAdcWord, type Ina2xxAdcOptions } from './adc-config.js';
import { checkIna3221Shunt } from './calibration.js';
import { PowerSensorConfigError } from './errors.js';
import { checkAddress } from './ina219.js';
import { CHANNEL_ROLES, InaSensor, signed16, type ChannelRole, type InaSensorOptions } from './ina-sensor.js';
import type { PowerReading } from './power-sensor.js';
import { busRegister3221, Ina2xxConfig, Ina3221, shuntRegister3221 } from './registers.js';

export type Ina3221Channel = 1 | 2 | 3;
export type ChannelMap = Partial<Record<ChannelRole, Ina3221Channel>>;
export const DEFAULT_CHANNELS: Readonly<Record<ChannelRole, Ina3221Channel>> = { battery: 1, panel: 2, load: 3 };

export interface Ina3221Options extends InaSensorOptions, Ina2xxAdcOptions {
  /** One value for all channels, or one per role. */
  shuntOhms: number | Partial<Record<ChannelRole, number>>;
  maxCurrentA: number | Partial<Record<ChannelRole, number>>;
  channels?: ChannelMap;
}

/** Checks a role → channel map: roles known, channels 1–3, no channel used twice, at least one role. */
export function checkChannelMap(channels: unknown): Array<[ChannelRole, Ina3221Channel]> {
  if (typeof channels !== 'object' || channels === null || Array.isArray(channels)) throw new PowerSensorConfigError('channels', 'must map roles (battery, panel, load) to INA3221 channels 1–3');
  const out: Array<[ChannelRole, Ina3221Channel]> = [];
  const used = new Map<number, string>();
  for (const [role, ch] of Object.entries(channels)) {
    if (!CHANNEL_ROLES.includes(role as ChannelRole)) throw new PowerSensorConfigError(`channels.${role}`, `unknown role; the roles are ${CHANNEL_ROLES.join(', ')}`);
    if (ch === undefined) continue;
    if (ch !== 1 && ch !== 2 && ch !== 3) throw new PowerSensorConfigError(`channels.${role}`, `must be channel 1, 2 or 3, got ${String(ch)}`);
    if (used.has(ch)) throw new PowerSensorConfigError(`channels.${role}`, `channel ${ch} is already the ${used.get(ch)} channel`);
    used.set(ch, role);
    out.push([role as ChannelRole, ch]);
  }
  if (out.length === 0) throw new PowerSensorConfigError('channels', 'maps no role to a channel');
  return out;
}

interface MappedChannel { role: ChannelRole; ch: Ina3221Channel; shuntOhms: number }

export class Ina3221Sensor extends InaSensor {
  readonly config: number;
  readonly mapped: readonly MappedChannel[];
  private readonly conversionMs: number;

  constructor(options: Ina3221Options) {
    super('ina3221', options);
    checkAddress(options.address, Ina3221.addresses, 'ina3221');
    const pick = (v: number | Partial<Record<ChannelRole, number>>, role: ChannelRole, key: string): number => {
      const x = typeof v === 'number' ? v : v[role];
      if (x === undefined) throw new PowerSensorConfigError(`${key}.${role}`, 'missing for a mapped channel');
      return x;
    };
    this.mapped = checkChannelMap(options.channels ?? DEFAULT_CHANNELS).map(([role, ch]) => {
      const shuntOhms = pick(options.shuntOhms, role, 'shuntOhms');
      checkIna3221Shunt(shuntOhms, pick(options.maxCurrentA, role, 'maxCurrentA'));
      return { role, ch, shuntOhms };
    });
    const word = ina2xxAdcWord(options);
    let enable = 0;
    for (const m of this.mapped) enable |= Ina3221.channelEnable(m.ch);
    this.config = enable | word.bits;
    if (this.config === Ina3221.CONFIG_RESET) throw new PowerSensorConfigError('averages', 'averaging 1 with 1.1 ms conversions on all three channels is the INA3221\'s power-on configuration, which would hide a brown-out reset; average at least 4 samples');
    // The chip converts the enabled channels one after the other (shunt then bus each; SBOS576C, device functional modes).
    this.conversionMs = word.conversionMs * this.mapped.length;
  }

  protected async program(): Promise<void> {
    const r = Ina3221.reg;
    await this.checkIdentity(r.MANUFACTURER_ID, r.DIE_ID, Ina3221.DIE_ID);
    await this.write16(r.CONFIG, Ina2xxConfig.RST);
    await this.writeChecked(r.CONFIG, this.config);
    // CVRF (Mask/Enable bit 0) sets when all enabled channels are converted; reading Mask/Enable clears it.
    await this.waitConversion(this.conversionMs, async () => ((await this.read16(r.MASK_ENABLE)) & Ina3221.MASK_CVRF) !== 0);
  }

  protected async readChannels(): Promise<PowerReading> {
    const reading: PowerReading = { at: 0 };
    for (const m of this.mapped) {
      // 13-bit two's complement in bits 15:3: an arithmetic shift of the signed word keeps the sign.
      const shuntV = (signed16(await this.read16(shuntRegister3221(m.ch))) >> 3) * Ina3221.SHUNT_LSB_V;
      const volts = (signed16(await this.read16(busRegister3221(m.ch))) >> 3) * Ina3221.BUS_LSB_V;
      const amps = shuntV / m.shuntOhms;
      reading[m.role] = this.channel(m.role, volts, amps);
    }
    reading.at = this.clock.now();
    return reading;
  }

  protected async lostProgramming(): Promise<boolean> {
    return (await this.read16(Ina3221.reg.CONFIG)) !== this.config;
  }
}
