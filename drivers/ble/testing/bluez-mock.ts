/**
 * A private system D-Bus with python3-dbusmock's BlueZ template plus our add-on (bluez-radios-template.py), so
 * node-ble and our facade really talk D-Bus to something that answers like bluetoothd
 * (BlueZ doc/org.bluez.Device.rst, doc/org.bluez.GattCharacteristic.rst).
 * The daemon and the mock stay in the test's process group, so a test runner that kills the group on a timeout or
 * crash takes them along; stop() (and, as a last resort, process exit) kills them by pid.
 *
 * The harness side of a radio is `MockRadio`: it hears the client's writes (Mock.MethodCalled on the
 * characteristic), sees the link come and go (Device1 Connected), queues FromRadio protobufs behind FromNum
 * notifications, and sends notifications.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dbusNext from 'dbus-next';
import type { ClientInterface, MessageBus } from 'dbus-next';

// test-runner: dist-safe. tsc does not copy the template into dist/: compiled, it is read from the source tree
// (dist/drivers/ble/testing → drivers/ble/testing), so the BLE tests run from dist/ without tsx (~0.5 s of CPU each).
const HERE = dirname(fileURLToPath(import.meta.url));
const TEMPLATE = [join(HERE, 'bluez-radios-template.py'), join(HERE, '..', '..', '..', '..', 'drivers', 'ble', 'testing', 'bluez-radios-template.py')]
  .find((p) => existsSync(p)) ?? join(HERE, 'bluez-radios-template.py');
const PYTHON = '/usr/bin/python3';

export type RadioProfile = 'meshtastic' | 'meshcore';
export type CharKind = 'toradio' | 'fromradio' | 'fromnum' | 'rx' | 'tx';

export interface RadioInit {
  address: string;
  /** Advertised name (Meshtastic: `Meshtastic_1a2b`, MeshCore: `MeshCore-<node name>`). */
  name: string;
  profile: RadioProfile;
  rssi?: number;
  /** Passkey the radio wants; 0 = no pairing needed. */
  pin?: number;
  adapter?: string;
}

export class MockRadio {
  private chars = new Map<CharKind, string>();
  private readonly unsubs: Array<() => void> = [];

  constructor(private readonly mock: BluezMock, readonly path: string, readonly init: RadioInit) {}

  async load(): Promise<void> {
    const kinds: CharKind[] = this.init.profile === 'meshtastic' ? ['toradio', 'fromradio', 'fromnum'] : ['rx', 'tx'];
    for (const k of kinds) this.chars.set(k, (await this.mock.radioMock().CharPath(this.path, k)) as string);
  }

  charPath(kind: CharKind): string {
    const p = this.chars.get(kind);
    if (!p) throw new Error(`${this.init.profile} radio has no ${kind} characteristic`);
    return p;
  }

  /** Every value the client wrote to `kind`, in order. */
  async onWrite(kind: CharKind, listener: (value: Uint8Array) => void): Promise<() => void> {
    const obj = await this.mock.bus.getProxyObject('org.bluez', this.charPath(kind));
    const iface = obj.getInterface('org.freedesktop.DBus.Mock');
    const cb = (name: string, args: Array<{ value: unknown }>) => {
      if (name === 'WriteValue') listener(new Uint8Array(args[0]!.value as Buffer));
    };
    iface.on('MethodCalled', cb);
    const off = () => iface.off('MethodCalled', cb);
    this.unsubs.push(off);
    return off;
  }

  /** Connected true/false as BlueZ reports it. */
  async onConnection(listener: (connected: boolean) => void): Promise<() => void> {
    const obj = await this.mock.bus.getProxyObject('org.bluez', this.path);
    const props = obj.getInterface('org.freedesktop.DBus.Properties');
    const cb = (iface: string, changed: Record<string, { value: unknown }>) => {
      if (iface === 'org.bluez.Device1' && 'Connected' in changed) listener(changed.Connected!.value === true);
    };
    props.on('PropertiesChanged', cb);
    const off = () => props.off('PropertiesChanged', cb);
    this.unsubs.push(off);
    return off;
  }

  /** Meshtastic: the firmware queued a FromRadio (read queue + FromNum notify). Dropped while disconnected. */
  pushFromRadio(protobuf: Uint8Array): Promise<void> {
    return this.mock.radioMock().PushFromRadio(this.path, Buffer.from(protobuf)) as Promise<void>;
  }

  /** One notification on `kind` (delivered only while the client is subscribed). */
  notify(kind: CharKind, value: Uint8Array): Promise<void> {
    return this.mock.radioMock().NotifyValue(this.charPath(kind), Buffer.from(value)) as Promise<void>;
  }

  setInRange(inRange: boolean): Promise<void> {
    return this.mock.radioMock().SetInRange(this.path, inRange) as Promise<void>;
  }

  /** The radio drops the link (reset, supervision timeout) but stays in range. */
  dropLink(): Promise<void> {
    return this.mock.radioMock().DropLink(this.path) as Promise<void>;
  }

  failNextConnect(bluezError: string, message: string): Promise<void> {
    return this.mock.radioMock().FailNextConnect(this.path, bluezError, message) as Promise<void>;
  }

  /** How often the client called Device1 `method` (Connect, Pair, Disconnect) on this radio. */
  async deviceCalls(method: string): Promise<number> {
    const obj = await this.mock.bus.getProxyObject('org.bluez', this.path);
    return ((await obj.getInterface('org.freedesktop.DBus.Mock').GetMethodCalls(method)) as unknown[]).length;
  }

  async failedPairings(): Promise<number> {
    return (await this.mock.radioMock().FailedPairings(this.path)) as number;
  }

  dispose(): void {
    for (const u of this.unsubs.splice(0)) u();
  }
}

export class BluezMock {
  readonly dir: string;
  /** `unix:path=…` of the private bus; pass it as busAddress (or DBUS_SYSTEM_BUS_ADDRESS). */
  readonly address: string;
  bus!: MessageBus;
  private daemon?: ChildProcess;
  private python?: ChildProcess;
  private root?: { mock: ClientInterface; radio: ClientInterface };
  private readonly radios: MockRadio[] = [];
  /** dbusmock's log (every method call), for failure messages. */
  log = '';

  private constructor(dir: string) {
    this.dir = dir;
    this.address = `unix:path=${join(dir, 'system_bus_socket')}`;
  }

  /** Starts dbus-daemon + dbusmock (bluez5 + our template) and adds adapter hci0 (powered). */
  static async start(options: { adapters?: string[]; timeoutMs?: number } = {}): Promise<BluezMock> {
    const m = new BluezMock(await mkdtemp(join(tmpdir(), 'lattice-bluez-')));
    try {
      await m.boot(options.timeoutMs ?? 20_000);
      for (const a of options.adapters ?? ['hci0']) await m.root!.mock.AddAdapter(a, 'lattice-relay');
    } catch (err) {
      await m.stop();
      throw err;
    }
    return m;
  }

  radioMock(): ClientInterface {
    if (!this.root) throw new Error('BluezMock not started');
    return this.root.radio;
  }

  async addRadio(init: RadioInit): Promise<MockRadio> {
    const path = (await this.radioMock().AddRadio(
      init.adapter ?? 'hci0', init.address, init.name, init.name, init.profile, init.rssi ?? -60, init.pin ?? 0,
    )) as string;
    const r = new MockRadio(this, path, init);
    await r.load();
    this.radios.push(r);
    return r;
  }

  setPowered(powered: boolean, adapter = 'hci0'): Promise<void> {
    return this.radioMock().SetPowered(adapter, powered) as Promise<void>;
  }

  /** Removes the adapter object (a USB dongle pulled out). */
  removeAdapter(adapter = 'hci0'): Promise<void> {
    return this.root!.mock.RemoveAdapterWithDevices(adapter) as Promise<void>;
  }

  /** Stops the mock bluetoothd; the bus stays up (org.bluez has no owner any more). */
  async stopBluez(): Promise<void> {
    await kill(this.python);
  }

  async stop(): Promise<void> {
    for (const r of this.radios.splice(0)) r.dispose();
    try { this.bus?.disconnect(); } catch { /* gone */ }
    await kill(this.python);
    await kill(this.daemon);
    process.off('exit', this.killOnExit);
    await rm(this.dir, { recursive: true, force: true });
  }

  private readonly killOnExit = () => {
    for (const p of [this.python, this.daemon]) {
      try { if (p?.pid !== undefined && p.exitCode === null) process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    rmSync(this.dir, { recursive: true, force: true });
  };

  private async boot(timeoutMs: number): Promise<void> {
    const conf = join(this.dir, 'bus.conf');
    await writeFile(
      conf,
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>${this.address}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*" eavesdrop="true"/><allow receive_sender="*"/></policy></busconfig>
`,
    );
    process.once('exit', this.killOnExit);
    this.daemon = spawn('dbus-daemon', [`--config-file=${conf}`, '--nofork', '--print-address=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitOutput(this.daemon, /unix:path=/, 'dbus-daemon to print its address', timeoutMs);
    const env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: this.address };
    this.python = spawn(PYTHON, ['-m', 'dbusmock', '--system', '--template', 'bluez5'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.python.stdout!.on('data', (d: Buffer) => this.appendLog(d));
    this.python.stderr!.on('data', (d: Buffer) => this.appendLog(d));
    this.bus = dbusNext.sessionBus({ busAddress: this.address });
    this.bus.on('error', () => undefined);
    const dbusIface = (await this.bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus')).getInterface('org.freedesktop.DBus');
    const t0 = Date.now();
    while (!(await dbusIface.NameHasOwner('org.bluez'))) {
      if (this.python.exitCode !== null) throw new Error(`dbusmock exited (${this.python.exitCode}): ${this.log.slice(-2000)}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`dbusmock did not take org.bluez within ${timeoutMs} ms: ${this.log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const rootObj = await this.bus.getProxyObject('org.bluez', '/');
    await rootObj.getInterface('org.freedesktop.DBus.Mock').AddTemplate(TEMPLATE, {});
    // Re-introspect: the template added org.lattice.RadioMock to `/`.
    const fresh = await this.bus.getProxyObject('org.bluez', '/');
    this.root = { mock: fresh.getInterface('org.bluez.Mock'), radio: fresh.getInterface('org.lattice.RadioMock') };
  }

  private appendLog(d: Buffer): void {
    this.log += d.toString();
    if (this.log.length > 200_000) this.log = this.log.slice(-100_000);
  }
}

function waitOutput(p: ChildProcess, re: RegExp, what: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (re.test(out)) done();
    };
    const onExit = (code: number | null) => done(new Error(`${what}: process exited with ${code}: ${out}`));
    function done(err?: Error) {
      clearTimeout(timer);
      p.stdout?.off('data', onData);
      p.stderr?.off('data', onData);
      p.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    }
    p.stdout?.on('data', onData);
    p.stderr?.on('data', onData);
    p.once('exit', onExit);
  });
}

async function kill(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.pid === undefined || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  try { p.kill('SIGTERM'); } catch { return; }
  const timer = setTimeout(() => {
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }, 3000);
  await exited;
  clearTimeout(timer);
  p.stdout?.destroy();
  p.stderr?.destroy();
}
