/**
 * Test support: the official web client's HTTP transport (meshtastic/web packages/transport-http/src/transport.ts at
 * 9a474420), ported as it is for @meshtastic/core's MeshDevice because the package is not installed (it is published
 * on JSR only; @meshtastic/core in node_modules has no HTTP transport). Same requests, same order: an OPTIONS probe of
 * /api/v1/toradio, `PUT /api/v1/toradio` (application/x-protobuf) per ToRadio, and a poll of
 * `GET /api/v1/fromradio?all=false` (Accept: application/x-protobuf) read until an empty body, repeated every
 * `intervalMs` (the client's 3 s; tests pass less). Status events as the client emits them.
 */
import type { MeshDevice } from '@meshtastic/core';

type Transport = ConstructorParameters<typeof MeshDevice>[0];
type DeviceOutput = Transport['fromDevice'] extends ReadableStream<infer T> ? T : never;

/** DeviceStatusEnum in @meshtastic/core. */
const DeviceDisconnected = 2;
const DeviceConnecting = 3;
const DeviceConnected = 5;

const READ_TIMEOUT_MS = 7000;
const WRITE_TIMEOUT_MS = 4000;

export class MeshtasticHttpTransport {
  readonly toDevice: WritableStream<Uint8Array>;
  readonly fromDevice: ReadableStream<DeviceOutput>;
  private controller?: ReadableStreamDefaultController<DeviceOutput>;
  private interval: NodeJS.Timeout | undefined;
  private fetching = false;
  private inflight?: AbortController;
  private lastStatus = DeviceDisconnected;
  private closingByUser = false;
  /** Every request made, `METHOD path?query`, for the tests. */
  readonly requests: string[] = [];

  static async create(address: string, intervalMs = 3000, headers: Record<string, string> = {}): Promise<MeshtasticHttpTransport> {
    const url = `http://${address}`;
    await fetch(`${url}/api/v1/toradio`, { method: 'OPTIONS' });
    return new MeshtasticHttpTransport(url, intervalMs, headers);
  }

  private constructor(private readonly url: string, intervalMs: number, private readonly headers: Record<string, string>) {
    this.toDevice = new WritableStream<Uint8Array>({
      write: async (chunk) => {
        try {
          await this.writeToRadio(chunk);
        } catch (error) {
          if (!this.closingByUser) {
            this.emitStatus(DeviceDisconnected, 'write-error');
            return;
          }
          throw error;
        }
      },
    });
    this.fromDevice = new ReadableStream<DeviceOutput>({
      start: (ctrl) => {
        this.controller = ctrl;
        this.emitStatus(DeviceConnecting);
        void this.safePoll();
        this.interval = setInterval(() => void this.safePoll(), intervalMs);
      },
      cancel: () => clearInterval(this.interval),
    });
  }

  private async readFromRadio(): Promise<void> {
    let length = 1;
    while (length > 0) {
      const inflight = new AbortController();
      this.inflight = inflight;
      const signal = AbortSignal.any([inflight.signal, AbortSignal.timeout(READ_TIMEOUT_MS)]);
      try {
        this.requests.push('GET /api/v1/fromradio?all=false');
        const response = await fetch(`${this.url}/api/v1/fromradio?all=false`, { method: 'GET', headers: { Accept: 'application/x-protobuf', ...this.headers }, signal });
        if (!response.ok) throw new Error(`fromradio ${response.status} ${response.statusText}`);
        this.emitStatus(DeviceConnected);
        const buf = new Uint8Array(await response.arrayBuffer());
        length = buf.byteLength;
        if (length > 0) this.controller?.enqueue({ type: 'packet', data: buf } as DeviceOutput);
      } finally {
        this.inflight = undefined;
      }
    }
  }

  private async writeToRadio(data: Uint8Array): Promise<void> {
    this.requests.push('PUT /api/v1/toradio');
    const response = await fetch(`${this.url}/api/v1/toradio`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/x-protobuf', ...this.headers },
      body: data.slice(),
      signal: AbortSignal.timeout(WRITE_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`toradio ${response.status} ${response.statusText}`);
  }

  disconnect(): Promise<void> {
    this.closingByUser = true;
    clearInterval(this.interval);
    this.interval = undefined;
    this.inflight?.abort();
    this.emitStatus(DeviceDisconnected, 'user');
    return Promise.resolve();
  }

  private emitStatus(next: number, reason?: string): void {
    if (next === this.lastStatus) return;
    this.lastStatus = next;
    this.controller?.enqueue({ type: 'status', data: { status: next, reason } } as DeviceOutput);
  }

  private async safePoll(): Promise<void> {
    if (this.fetching) return;
    this.fetching = true;
    try {
      await this.readFromRadio();
    } catch {
      if (!this.closingByUser) this.emitStatus(DeviceDisconnected, 'read-error');
    } finally {
      this.fetching = false;
    }
  }
}
