import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * server/src/xpay is a pure protocol module, like payment/: no HTTP framework, no Redis, no queue, no model SDK,
 * and nothing from the sandbox (which depends on it, not the other way round). ESLint's layering rules name
 * payment/ only, so this keeps xpay/ honest until they name it too.
 */
const XPAY_DIR = path.join(__dirname, '../../../server/src/xpay');
const FORBIDDEN = [
  /^koa$/,
  /^@koa\//,
  /^ioredis$/,
  /^bullmq$/,
  /^openai$/,
  /^pg$/,
  /(^|\/)sandbox\//,
  /(^|\/)mock-model\//,
];

const sources = readdirSync(XPAY_DIR).filter((name) => name.endsWith('.ts'));

test.each(sources)('%s imports no framework, store or sandbox', (name) => {
  const text = readFileSync(path.join(XPAY_DIR, name), 'utf8');
  const specifiers = [
    ...text.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)|\brequire\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
  expect(specifiers.filter((s) => FORBIDDEN.some((rule) => rule.test(s)))).toEqual([]);
  // Outside its own folder it may use Node and payment/'s public index only.
  expect(specifiers.filter((s) => s.startsWith('../') && s !== '../payment/index.js')).toEqual([]);
});
