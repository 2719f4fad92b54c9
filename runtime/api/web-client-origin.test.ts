/** Which browser pages may use the Meshtastic HTTP API: the official client's home, this machine, the LAN. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { webClientOriginAllowed } from './web-client-origin.js';

test('allowed: client.meshtastic.org, loopback, private and link-local addresses, .local/.lan names', () => {
  for (const o of ['https://client.meshtastic.org', 'http://localhost:5173', 'http://127.0.0.1:8080', 'http://[::1]:3000', 'http://10.1.2.3', 'http://172.20.0.5:8081', 'http://192.168.1.20:8081', 'http://169.254.10.10', 'http://[fd00::12]:80', 'http://[fe80::1]', 'http://meshweb.local', 'https://radio.home.arpa', 'http://pi.lan:8080']) {
    assert.ok(webClientOriginAllowed(o), o);
  }
});

test('refused: other sites, look-alikes, public addresses, odd schemes and garbage', () => {
  for (const o of ['https://evil.example', 'http://client.meshtastic.org', 'https://client.meshtastic.org.evil.example', 'http://8.8.8.8', 'http://172.32.0.1', 'http://192.169.1.1', 'null', 'file://', 'chrome-extension://abc', '', 'http://[2001:db8::1]', 'http://localhost.evil.example']) {
    assert.not.ok(webClientOriginAllowed(o), o);
  }
});

test.run();
