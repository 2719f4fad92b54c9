/**
 * Entry point of the Meshtastic radio simulator (`lattice sim meshtastic --pty | --tcp PORT`): one simulated radio
 * with its small mesh, reachable over a PTY, over TCP, or both.
 */
import { SimDevice, type SimDeviceOptions } from './sim-device.js';
import { SimSerialPort } from './sim-serial.js';
import { SimTcpServer } from './sim-tcp.js';

export interface MeshtasticSimOptions extends SimDeviceOptions {
  pty?: boolean;
  /** TCP port (0 = any free port). Omit for no TCP server. */
  tcpPort?: number;
  tcpHost?: string;
  /** 'one' (default): the firmware's single TCP client, a new one displaces the old; 'many': several at once. */
  tcpClients?: 'one' | 'many';
}

export interface MeshtasticSim {
  device: SimDevice;
  /** Path for the host to open (a stable symlink), when `pty` was asked for. */
  ptyPath?: string;
  tcpPort?: number;
  serial?: SimSerialPort;
  tcp?: SimTcpServer;
  /** Human-readable lines telling a user how to connect. */
  banner(): string[];
  stop(): Promise<void>;
}

export async function startMeshtasticSim(options: MeshtasticSimOptions = {}): Promise<MeshtasticSim> {
  if (!options.pty && options.tcpPort === undefined) throw new TypeError('startMeshtasticSim: ask for pty: true and/or a tcpPort');
  const device = new SimDevice(options);
  device.start();
  let serial: SimSerialPort | undefined;
  let tcp: SimTcpServer | undefined;
  try {
    if (options.pty) {
      serial = new SimSerialPort(device);
      await serial.start();
    }
    if (options.tcpPort !== undefined) {
      tcp = new SimTcpServer(device, options.tcpHost ?? '127.0.0.1', options.tcpClients ?? 'one');
      await tcp.start(options.tcpPort);
    }
  } catch (err) {
    await serial?.stop();
    await tcp?.stop();
    device.stop();
    throw err;
  }
  const sim: MeshtasticSim = {
    device,
    serial,
    tcp,
    ptyPath: serial?.hostPath,
    tcpPort: tcp?.port,
    banner: () => {
      const lines = [`simulated Meshtastic radio ${device.myNodeNum.toString(16).padStart(8, '0')} (firmware 2.7.26 behaviour), ${device.mesh.nodes.size} other nodes`];
      if (serial) lines.push(`serial (PTY): ${serial.hostPath}   e.g. lattice run --meshtastic ${serial.hostPath}`);
      if (tcp) lines.push(`TCP: ${options.tcpHost ?? '127.0.0.1'}:${tcp.port}   e.g. lattice run --meshtastic ${options.tcpHost ?? '127.0.0.1'}:${tcp.port}`);
      return lines;
    },
    stop: async () => {
      device.stop();
      await serial?.stop();
      await tcp?.stop();
    },
  };
  return sim;
}
