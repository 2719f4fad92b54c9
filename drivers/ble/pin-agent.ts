/**
 * A BlueZ pairing agent (org.bluez.Agent1, bluez doc/org.bluez.Agent.rst) that answers with a fixed PIN.
 * MeshCore companions require bonding with a 6-digit passkey (MITM; default 123456, firmware BLE_PIN_CODE) and
 * Meshtastic radios in FIXED_PIN mode likewise (default 123456, firmware DebugConfiguration.h defaultBLEPin). The
 * radio displays or knows the passkey and we type it: RequestPasskey returns the PIN. Without an agent BlueZ cannot
 * answer the passkey request and pairing fails, which users report as the usual BLE failure
 * (meshcore_py#92, meshcore-ha#294).
 */
import type { BluezBus } from './bluez-bus.js';

const AGENT_IFACE = 'org.bluez.Agent1';

export interface PinAgent {
  readonly path: string;
  /** Passkeys handed out so far (a wrong PIN shows up as requests followed by a refused pairing). */
  readonly requests: number;
  unregister(): Promise<void>;
}

let agentSeq = 0;

export async function registerPinAgent(b: BluezBus, pin: number): Promise<PinAgent> {
  if (!Number.isInteger(pin) || pin < 0 || pin > 999_999) throw new RangeError(`BLE PIN ${pin} is not a 6-digit number`);
  const { Interface } = b.dbus.interface;
  const DBusError = b.dbus.DBusError;
  const state = { requests: 0 };
  const pinText = pin.toString().padStart(6, '0');
  class Agent extends Interface {
    Release(): void {}
    RequestPinCode(_device: string): string {
      state.requests++;
      return pinText;
    }
    DisplayPinCode(_device: string, _pincode: string): void {}
    RequestPasskey(_device: string): number {
      state.requests++;
      return pin;
    }
    DisplayPasskey(_device: string, _passkey: number, _entered: number): void {}
    RequestConfirmation(_device: string, passkey: number): void {
      // Numeric comparison: accept only when the radio shows our PIN.
      if (passkey !== pin) throw new DBusError('org.bluez.Error.Rejected', 'passkey does not match the configured PIN');
    }
    RequestAuthorization(_device: string): void {}
    AuthorizeService(_device: string, _uuid: string): void {}
    Cancel(): void {}
  }
  Agent.configureMembers({
    methods: {
      Release: {},
      RequestPinCode: { inSignature: 'o', outSignature: 's' },
      DisplayPinCode: { inSignature: 'os' },
      RequestPasskey: { inSignature: 'o', outSignature: 'u' },
      DisplayPasskey: { inSignature: 'ouq' },
      RequestConfirmation: { inSignature: 'ou' },
      RequestAuthorization: { inSignature: 'o' },
      AuthorizeService: { inSignature: 'os' },
      Cancel: {},
    },
  });
  const path = `/org/lattice/agent${process.pid}_${++agentSeq}`;
  const agent = new Agent(AGENT_IFACE);
  b.bus.export(path, agent);
  const manager = (await b.proxy('/org/bluez')).getInterface('org.bluez.AgentManager1');
  try {
    await manager.RegisterAgent(path, 'KeyboardDisplay');
    await manager.RequestDefaultAgent(path);
  } catch (err) {
    b.bus.unexport(path, agent);
    throw err;
  }
  let registered = true;
  return {
    path,
    get requests() {
      return state.requests;
    },
    async unregister() {
      if (!registered) return;
      registered = false;
      await manager.UnregisterAgent(path).catch(() => undefined);
      b.bus.unexport(path, agent);
    },
  };
}
