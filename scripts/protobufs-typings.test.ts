import { readFile } from 'node:fs/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildProtobufsTypings, TYPINGS_PATH } from './protobufs-typings.mjs';

test('committed protobufs typings match the installed @meshtastic/protobufs', async () => {
  const committed = await readFile(TYPINGS_PATH, 'utf8');
  const fresh = await buildProtobufsTypings();
  assert.ok(committed === fresh, 'stale: run npm run gen:protobufs-typings');
});

test.run();
