/**
 * The simulated radio on a USB serial port: a socat PTY pair whose device end the simulator opens with
 * `serialport`. `unplug()` kills socat (the host sees its port vanish like a pulled cable) and, as a USB-powered
 * board loses power with it, `replug()` boots the radio again (banner + FromRadio.rebooted).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { openPtyPair, type PtyPair } from './pty-pair.js';
import type { SimDevice } from './sim-device.js';
import type { StreamClient } from '../device/stream-client.js';

export class SimSerialPort {
  private dir?: string;
  private pair?: PtyPair;
  private port?: SerialPort;
  private api?: StreamClient;
  private plugged = false;

  constructor(private readonly device: SimDevice) {}

  /** Stable path the host opens (a symlink to the current /dev/pts/N). */
  get hostPath(): string {
    if (!this.dir) throw new Error('serial simulator not started');
    return join(this.dir, 'meshtastic-radio');
  }

  get isPlugged(): boolean {
    return this.plugged;
  }

  async start(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'lattice-mt-sim-'));
    await this.plug('banner');
  }

  /** Plugs the cable back in: the board powers up again (reboot_count + 1, RAM state gone, boot banner). */
  replug(): Promise<void> {
    return this.plug('power-cycle');
  }

  private async plug(boot: 'banner' | 'power-cycle'): Promise<void> {
    if (this.plugged) return;
    const pair = await openPtyPair({ deviceLink: join(this.dir!, 'device-end'), hostLink: this.hostPath });
    const port = new SerialPort({ path: pair.devicePath, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    this.pair = pair;
    this.port = port;
    this.plugged = true;
    const sink = {
      kind: 'serial' as const,
      write: (bytes: Uint8Array) => {
        if (port.isOpen) port.write(Buffer.from(bytes));
      },
      close: () => void this.unplug(),
    };
    const api = this.device.attach(sink);
    this.api = api;
    port.on('data', (chunk: Buffer) => {
      if (!this.device.isBooting) api.receive(new Uint8Array(chunk));
    });
    port.on('error', () => {});
    pair.process.once('exit', () => {
      if (this.port === port) void this.unplug();
    });
    if (boot === 'banner') this.device.bootSerial(sink);
    else this.device.reboot();
  }

  async unplug(): Promise<void> {
    if (!this.plugged) return;
    this.plugged = false;
    if (this.api) this.device.detach(this.api);
    this.api = undefined;
    const port = this.port;
    const pair = this.pair;
    this.port = undefined;
    this.pair = undefined;
    await pair?.close();
    if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
    this.device.log('serial: unplugged');
  }

  async stop(): Promise<void> {
    await this.unplug();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
