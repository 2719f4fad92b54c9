import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDiskFullError, MDB_MAP_FULL, NEARLY_FULL_BYTES } from './disk-full.js';

const err = (code: unknown, cause?: unknown) => Object.assign(new Error(`code ${String(code)}`), { code }, cause ? { cause } : {});
const target = { path: '/data/vault' };
const roomy = () => 10 * 2 ** 30;
const full = () => NEARLY_FULL_BYTES - 1;

test('what says "full": fs codes, lmdb-js errnos, the map limit, and EIO only when the disk has no room', () => {
  const table: Array<[string, unknown, (p: string) => number | undefined, boolean]> = [
    ['ENOSPC (fs)', err('ENOSPC'), roomy, true],
    ['EDQUOT (fs)', err('EDQUOT'), roomy, true],
    ['EFBIG (fs, file-size limit)', err('EFBIG'), roomy, true],
    ['28 (lmdb-js ENOSPC)', err(28), roomy, true],
    ['27 (lmdb-js EFBIG)', err(27), roomy, true],
    ['MDB_MAP_FULL', err(MDB_MAP_FULL), roomy, true],
    ['EIO, disk nearly full (a short write)', err(5), full, true],
    ['EIO string, disk nearly full', err('EIO'), full, true],
    ['EIO, disk has room (a failing card)', err(5), roomy, false],
    ['EIO, statfs failed', err(5), () => undefined, false],
    ['EACCES', err('EACCES'), full, false],
    ['no code', new Error('x'), full, false],
    ['not an error', 'ENOSPC', full, false],
    ['wrapped: cause is ENOSPC', err(undefined, err('ENOSPC')), roomy, true],
  ];
  for (const [what, e, free, expected] of table) assert.is(isDiskFullError(e, target, free), expected, what);
  assert.is(isDiskFullError(err(5)), false, 'EIO without a target to check is not taken for full');
});

test.run();
