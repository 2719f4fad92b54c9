/**
 * A TCP connection as a ByteLink: meshtasticd / Meshtastic Wi-Fi radios on port 4403, MeshCore Wi-Fi companions on
 * port 5000. Both firmwares use the same stream framing over TCP as over serial.
 */
import { Socket, connect } from 'node:net';
import { LinkBase } from '../../drivers/serial/link-base.js';
import { LinkClosedError, LinkOpenError } from '../../drivers/serial/errors.js';
import { LinkClosedByRemoteError } from './errors.js';

export interface TcpLinkOptions {
  host: string;
  port: number;
  signal?: AbortSignal;
  /** Connect timeout; default 10 s. */
  timeoutMs?: number;
}

export class TcpLink extends LinkBase {
  readonly description: string;
  private socket: Socket;

  private constructor(socket: Socket, description: string) {
    super();
    this.socket = socket;
    this.description = description;
    socket.setNoDelay(true);
    // Keepalive: a radio that loses power mid-session otherwise leaves a half-open socket for hours.
    socket.setKeepAlive(true, 10_000);
    socket.on('data', (chunk) => this.emitData(chunk));
    // A FIN from the radio ('end' with no error before 'close') is a close on purpose; the gateways tell it apart
    // from a reset or a timeout to notice another client taking the radio (runtime/bearers/displacement.ts).
    let ended = false;
    socket.on('end', () => { ended = true; });
    socket.on('error', (err) => this.emitClose(err));
    socket.on('close', () => this.emitClose(ended ? new LinkClosedByRemoteError(this.description) : new LinkClosedError(this.description)));
  }

  get isOpen(): boolean {
    return !this.socket.destroyed && this.socket.readyState === 'open';
  }

  static open(options: TcpLinkOptions): Promise<TcpLink> {
    const description = `${options.host}:${options.port}`;
    return new Promise((resolve, reject) => {
      options.signal?.throwIfAborted();
      const socket = connect({ host: options.host, port: options.port });
      const timer = setTimeout(() => fail(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)), options.timeoutMs ?? 10_000);
      const onAbort = () => fail(options.signal?.reason ?? new Error('aborted'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      function cleanup() {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        socket.removeListener('error', fail);
        socket.removeListener('connect', ok);
      }
      function fail(err: unknown) {
        cleanup();
        socket.destroy();
        reject(new LinkOpenError(description, { cause: err }));
      }
      function ok() {
        cleanup();
        resolve(new TcpLink(socket, description));
      }
      socket.once('error', fail);
      socket.once('connect', ok);
    });
  }

  write(data: Uint8Array, options?: { signal?: AbortSignal }): Promise<void> {
    // A promise-returning write rejects, never throws at the caller (ByteLink contract).
    if (options?.signal?.aborted) return Promise.reject(options.signal.reason);
    if (!this.isOpen) return Promise.reject(new LinkClosedError(this.description));
    return new Promise((resolve, reject) => {
      this.socket.write(data, (err) => (err ? reject(new LinkClosedError(this.description, { cause: err })) : resolve()));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) {
        this.emitClose();
        return resolve();
      }
      this.socket.once('close', () => resolve());
      this.emitClose();
      this.socket.destroy();
    });
  }
}

/** Parses `host:port` (IPv6 as `[::1]:4403`) with a default port. */
export function parseHostPort(spec: string, defaultPort: number): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec) ?? /^([^:]+)(?::(\d+))?$/.exec(spec);
  if (!m) return undefined;
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: m[1]!, port };
}

export function openTcpLink(options: TcpLinkOptions): Promise<TcpLink> {
  return TcpLink.open(options);
}
