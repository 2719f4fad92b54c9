#!/usr/bin/env node
// Makes sure the Debian packages the simulated hardware tests need are present: socat (PTY pairs for the
// serial firmware simulators), mosquitto (a real MQTT broker on loopback), dbus + python3-dbusmock (a private
// D-Bus playing BlueZ), strace (the flush-before-acknowledge tests watch the vault's fdatasync calls), build-essential (the GPIO
// character-device addon test compiles packaging/gpio-cdev with cc), chromium (the dashboard's browser tests drive it
// with playwright-core; CHROMIUM names another binary). Installs them
// with apt-get when running as root (CI, balena build), else says how.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const checks = [
  ['socat', () => has('socat')],
  ['strace', () => has('strace')],
  ['build-essential', () => has('cc') && has('make')],
  ['mosquitto', () => has('mosquitto') || existsSync('/usr/sbin/mosquitto')],
  ['dbus', () => has('dbus-daemon')],
  ['chromium', () => (process.env.CHROMIUM ? existsSync(process.env.CHROMIUM) : has('chromium') || existsSync('/usr/bin/chromium'))],
  ['python3-dbusmock', () => spawnSync('/usr/bin/python3', ['-c', 'import dbusmock, dbus'], { stdio: 'ignore' }).status === 0],
];
const missing = checks.filter(([, ok]) => !ok()).map(([pkg]) => pkg);
if (missing.length === 0) process.exit(0);
const isRoot = process.getuid?.() === 0;
const sudo = !isRoot && has('sudo') ? ['sudo'] : [];
if (!isRoot && sudo.length === 0) {
  console.error(`test prerequisites missing: ${missing.join(', ')}\nInstall them: apt-get install -y ${missing.join(' ')}`);
  process.exit(1);
}
console.log(`installing test prerequisites: ${missing.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const apt = (argv) => execFileSync(sudo[0] ?? 'apt-get', sudo.length ? ['apt-get', ...argv] : argv, { stdio: 'inherit', env });
apt(['update', '-qq']);
apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
