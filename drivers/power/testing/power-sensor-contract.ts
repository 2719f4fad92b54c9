/**
 * The PowerSensor contract, run on every driver over its emulator, on the fake, and (hil-tests/power-ina.test.ts)
 * on a real chip: life cycle, values per role within the chip's resolution, the sign convention (battery amps
 * positive when charging), brown-out recovery counted, a NAK and a hung bus turned into typed errors with the
 * sensor usable again afterwards, and no unhandled rejection on the way.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChannelInput } from '../sim/register-chip.js';
import type { PowerReading, PowerSensor } from '../power-sensor.js';

export type Role = 'battery' | 'panel' | 'load';

export interface PowerSensorHarness {
  sensor: PowerSensor;
  /** Roles the sensor reports. */
  roles: readonly Role[];
  /** Sets the physical world at a role (volts at the bus input, amps with the sign convention of PowerReading). */
  set(role: Role, input: ChannelInput): void;
  /** Lets a fresh conversion complete after set(). */
  settle(): Promise<void>;
  /** Largest error allowed, per quantity (the chip's LSBs, plus truncation). */
  tolerance: { volts: number; amps: number; watts: number };
  /** Fault injection, where the implementation has it. */
  faults?: {
    brownOut(): void;
    nak(on: boolean): void;
    hang(): void;
    release(): void;
  };
  dispose(): Promise<void>;
}

const near = (what: string, got: number, want: number, tol: number) => {
  assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, want ${want} ± ${tol}`);
};

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new assert.Assertion({ message: 'expected a rejection', generated: false, operator: 'rejects', expects: 'rejection', actual: 'resolved' });
}

export function registerPowerSensorContract(name: string, make: () => Promise<PowerSensorHarness>): void {
  const s = suite<{ h?: PowerSensorHarness; unhandled: unknown[]; onUnhandled?: (r: unknown) => void }>(`PowerSensor contract: ${name}`, { unhandled: [] });

  s.before.each(async (ctx) => {
    ctx.unhandled = [];
    ctx.onUnhandled = (r) => ctx.unhandled.push(r);
    process.on('unhandledRejection', ctx.onUnhandled);
    ctx.h = await make();
  });

  s.after.each(async (ctx) => {
    await ctx.h?.dispose();
    // Let late settlements of abandoned transfers surface before checking.
    await new Promise((r) => setImmediate(r));
    process.off('unhandledRejection', ctx.onUnhandled!);
    assert.equal(ctx.unhandled.map(String), [], 'no unhandled rejection');
  });

  const world: Record<Role, ChannelInput> = { battery: { volts: 3.9, amps: 0.5 }, panel: { volts: 5.6, amps: 0.7 }, load: { volts: 3.88, amps: 0.21 } };

  const check = (h: PowerSensorHarness, r: PowerReading, w: Record<Role, ChannelInput>) => {
    assert.type(r.at, 'number');
    for (const role of h.roles) {
      const c = r[role];
      assert.ok(c, `${role} reported`);
      near(`${role} volts`, c!.volts, w[role].volts, h.tolerance.volts);
      near(`${role} amps`, c!.amps, w[role].amps, h.tolerance.amps);
      near(`${role} watts`, c!.watts, w[role].volts * w[role].amps, h.tolerance.watts);
    }
  };

  s('read() before init() rejects with PowerSensorStateError', async ({ h }) => {
    const err = await rejection(h!.sensor.read());
    assert.is(err.name, 'PowerSensorStateError');
  });

  s('init() then read() reports every role within the resolution', async ({ h }) => {
    for (const role of h!.roles) h!.set(role, world[role]);
    await h!.sensor.init();
    await h!.settle();
    check(h!, await h!.sensor.read(), world);
  });

  s('battery amps are positive when charging and negative when discharging; watts follow the sign', async ({ h }) => {
    if (!h!.roles.includes('battery')) return;
    await h!.sensor.init();
    h!.set('battery', { volts: 4.0, amps: 0.8 });
    await h!.settle();
    const charging = (await h!.sensor.read()).battery!;
    assert.ok(charging.amps > 0 && charging.watts > 0, `charging: ${JSON.stringify(charging)}`);
    h!.set('battery', { volts: 3.7, amps: -0.6 });
    await h!.settle();
    const discharging = (await h!.sensor.read()).battery!;
    assert.ok(discharging.amps < 0 && discharging.watts < 0, `discharging: ${JSON.stringify(discharging)}`);
    near('discharge amps', discharging.amps, -0.6, h!.tolerance.amps);
  });

  s('a brown-out (registers back at power-on values) is detected, programmed again and counted', async ({ h }) => {
    if (!h!.faults) return;
    for (const role of h!.roles) h!.set(role, world[role]);
    await h!.sensor.init();
    await h!.settle();
    const before = h!.sensor.brownOuts ?? 0;
    h!.faults.brownOut();
    check(h!, await h!.sensor.read(), world);
    assert.is(h!.sensor.brownOuts, before + 1);
    await h!.settle();
    check(h!, await h!.sensor.read(), world);
    assert.is(h!.sensor.brownOuts, before + 1, 'counted once');
  });

  s('a sensor that NAKs rejects with I2cNakError, and reads again once it answers', async ({ h }) => {
    if (!h!.faults) return;
    for (const role of h!.roles) h!.set(role, world[role]);
    await h!.sensor.init();
    h!.faults.nak(true);
    assert.is((await rejection(h!.sensor.read())).name, 'I2cNakError');
    assert.is((await rejection(h!.sensor.init())).name, 'I2cNakError');
    h!.faults.nak(false);
    await h!.sensor.init();
    await h!.settle();
    check(h!, await h!.sensor.read(), world);
  });

  s('a hung bus rejects with I2cTimeoutError instead of hanging, and reads again once released', async ({ h }) => {
    if (!h!.faults) return;
    for (const role of h!.roles) h!.set(role, world[role]);
    await h!.sensor.init();
    h!.faults.hang();
    assert.is((await rejection(h!.sensor.read())).name, 'I2cTimeoutError');
    h!.faults.release();
    await h!.settle();
    check(h!, await h!.sensor.read(), world);
  });

  s('close() is idempotent and read() afterwards rejects with PowerSensorStateError', async ({ h }) => {
    await h!.sensor.init();
    await h!.sensor.close();
    await h!.sensor.close();
    assert.is((await rejection(h!.sensor.read())).name, 'PowerSensorStateError');
    assert.is((await rejection(h!.sensor.init())).name, 'PowerSensorStateError');
  });

  s.run();
}
