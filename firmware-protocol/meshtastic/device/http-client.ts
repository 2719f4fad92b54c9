/**
 * The firmware's HTTP API as one more client of the phone API (src/mesh/http/ContentHandler.cpp and
 * src/mesh/raspihttp/PiWebServer.cpp: `HttpAPI : public PhoneAPI`, one `webAPI` for every HTTP request):
 *
 *   PUT /api/v1/toradio    body: one ToRadio protobuf (no stream framing) → PhoneAPI::handleToRadio
 *   GET /api/v1/fromradio  → one FromRadio protobuf, or an empty body when there is nothing (the client polls);
 *                          `?all=true` → every FromRadio available, back to back (as ContentHandler writes them)
 *
 * The HTTP transport itself is the host's (runtime/api serves these routes); this is the device side: a PhoneApi
 * whose sink never takes writes, so what the mesh gives it waits in its bounded queue until a GET reads it (the
 * service's drain after a packet must not pull packets into a socket that does not exist). The service's idle
 * timeout (15 min without a ToRadio) ends the session as it does for a serial client; the next want_config starts
 * another, as on the firmware.
 */
import type { DeviceService } from './device-service.js';
import { ToRadioTooLargeError } from './errors.js';
import type { PhoneApi } from './phone-api.js';

/** mesh-pb-constants.h MAX_TO_FROM_RADIO_SIZE: the largest ToRadio/FromRadio the firmware handles. */
export const MAX_TO_FROM_RADIO_SIZE = 512;

export class DeviceHttpClient {
  readonly api: PhoneApi;

  constructor(service: DeviceService) {
    this.api = service.attach({
      kind: 'http',
      name: 'http',
      write: () => {},
      close: () => {},
      // Nothing is pushed: FromRadio leaves only when GET /api/v1/fromradio asks (getFromRadio).
      writable: () => false,
    });
  }

  /** PUT /api/v1/toradio's body. ToRadioTooLargeError above MAX_TO_FROM_RADIO_SIZE (the firmware would cut it). */
  toRadio(body: Uint8Array): void {
    if (body.byteLength > MAX_TO_FROM_RADIO_SIZE) throw new ToRadioTooLargeError(body.byteLength, MAX_TO_FROM_RADIO_SIZE);
    this.api.handleToRadio(body);
  }

  /** GET /api/v1/fromradio's body: one FromRadio (empty when none waits), or all of them with `all`. */
  fromRadio(all = false): Uint8Array {
    if (!all) return this.api.getFromRadio() ?? new Uint8Array(0);
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let fr = this.api.getFromRadio(); fr; fr = this.api.getFromRadio()) {
      parts.push(fr);
      total += fr.byteLength;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }
}
