/**
 * openLinuxSx126x end to end without hardware: fake `onoff` and `spi-device` modules (same call shapes as the real
 * packages) route the sysfs numbers and spidev transfers to an emulated chip on a fake Pi 4 sysfs tree (base 512).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatedLine } from './sim/emulated-line.js';
import { EmulatedSx126x } from './sim/emulated-sx126x.js';
import { createSimClock } from './sim/sim-clock.js';
import { SimulatedAir } from './sim/simulated-air.js';
import { openLinuxSx126x } from './open-linux-radio.js';
import { Boards } from './boards.js';
import { LatticeDefault } from '../../lib/lora/lattice-presets.js';

test('Waveshare Core1262 map: GPIO chip select around every transfer, ANT_SW held high, TCXO driven', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sysfs-'));
  const d = join(root, 'class/gpio/gpiochip512');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'label'), 'pinctrl-bcm2711\n');
  writeFileSync(join(d, 'base'), '512\n');
  writeFileSync(join(d, 'ngpio'), '58\n');
  const clock = createSimClock({ timeScale: 0.05 });
  const air = new SimulatedAir({ clock });
  const chip = new EmulatedSx126x({ name: 'hat', clock, tcxo: true });
  air.attach(chip, { x: 0, y: 0 });
  const b = Boards['waveshare-core1262-hat'];
  let csLow = false;
  let transfersWithoutCs = 0;
  const levels = new Map<number, 0 | 1>();
  const inputs = new Map<number, EmulatedLine>([[512 + b.busy, chip.busy], [512 + b.dio1, chip.dio1]]);
  class Gpio {
    constructor(readonly n: number, dir: string) {
      if (dir === 'high') this.writeSync(1);
      if (dir === 'low') this.writeSync(0);
    }
    readSync() { return inputs.get(this.n)?.value ?? levels.get(this.n) ?? 0; }
    writeSync(v: 0 | 1) {
      levels.set(this.n, v);
      if (this.n === 512 + b.reset) void chip.nreset.write(v);
      if (this.n === 512 + b.csGpio) csLow = v === 0;
    }
    private cbs = new Set<(e: null, v: 0 | 1) => void>();
    watch(cb: (e: null, v: 0 | 1) => void) {
      this.cbs.add(cb);
      const line = inputs.get(this.n)!;
      const loop = () => line.waitEdge('both').then(() => { if (this.cbs.has(cb)) { cb(null, line.value); loop(); } });
      loop();
    }
    unwatch(cb?: (e: null, v: 0 | 1) => void) { if (cb) this.cbs.delete(cb); else this.cbs.clear(); }
    unexport() {}
  }
  const spiModule = {
    open(_bus: number, _dev: number, opts: { noChipSelect?: boolean }, cb: (e: null) => void) {
      assert.is(opts.noChipSelect, true);
      setImmediate(() => cb(null));
      return {
        transfer(msgs: Array<{ sendBuffer: Buffer; receiveBuffer: Buffer }>, done: (e: Error | null, m: typeof msgs) => void) {
          if (!csLow) transfersWithoutCs++;
          chip.spi.transfer(new Uint8Array(msgs[0]!.sendBuffer)).then((rx) => { msgs[0]!.receiveBuffer.set(rx); done(null, msgs); }, (e: Error) => done(e, msgs));
        },
        close(done: (e: null) => void) { done(null); },
      };
    },
  };
  const loader = async (name: string) => (name === 'onoff' ? { Gpio } : spiModule);
  const { radio, trace } = await openLinuxSx126x({ board: 'waveshare-core1262-hat', sysRoot: root, loader, trace: true });
  try {
    await radio.configure(LatticeDefault);
    assert.ok(trace!.trace.length > 20);
    assert.is(transfersWithoutCs, 0, 'every transfer inside CS low');
    assert.is(levels.get(512 + 6), 1, 'ANT_SW held high');
    assert.is(levels.get(512 + b.csGpio), 1, 'CS released');
    assert.ok(trace!.trace.some((t) => t.mosi[0] === 0x97), 'SetDIO3AsTCXOCtrl sent');
    assert.equal(chip.violations, []);
  } finally {
    await radio.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
