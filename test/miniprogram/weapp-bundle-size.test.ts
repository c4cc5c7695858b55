/** @jest-environment node */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Budget for the production weapp main package. Measured 333,593 bytes with one page; about 485 KB with the
 * chat, orders and order pages, the socket/polling stream and zod for the WebSocket messages (Taro 4.2.1,
 * React 18). The budget stays at twice the first measurement. WeChat refuses a main package over 2 MB; we aim under 500 KB.
 */
const MAIN_PACKAGE_BUDGET_BYTES = 660 * 1024;
const WECHAT_MAIN_PACKAGE_LIMIT_BYTES = 2 * 1024 * 1024;

const distDir = path.resolve(__dirname, '../../miniprogram/dist');

/** Sub-package roots declared in app.json: they are not part of the main package. */
function subPackageRoots(): string[] {
  const appJson = JSON.parse(readFileSync(path.join(distDir, 'app.json'), 'utf8')) as {
    subPackages?: { root: string }[];
    subpackages?: { root: string }[];
  };
  return [...(appJson.subPackages ?? []), ...(appJson.subpackages ?? [])].map((sub) =>
    path.join(distDir, sub.root),
  );
}

/** Bytes of every file under `dir`, source maps excluded (WeChat does not ship them to users). */
function sizeOf(dir: string, skip: string[]): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (skip.some((root) => full === root || full.startsWith(root + path.sep))) continue;
    if (entry.isDirectory()) total += sizeOf(full, skip);
    else if (!entry.name.endsWith('.map')) total += statSync(full).size;
  }
  return total;
}

describe('weapp production bundle', () => {
  it('keeps the main package within its budget', () => {
    if (!existsSync(path.join(distDir, 'app.json'))) {
      throw new Error(
        `No weapp build at ${distDir}. Run \`npm run build:weapp -w miniprogram\` (a production build) first.`,
      );
    }
    expect(MAIN_PACKAGE_BUDGET_BYTES).toBeLessThanOrEqual(WECHAT_MAIN_PACKAGE_LIMIT_BYTES);

    const bytes = sizeOf(distDir, subPackageRoots());

    if (bytes > MAIN_PACKAGE_BUDGET_BYTES) {
      throw new Error(
        `The weapp main package is ${bytes} bytes, over its ${MAIN_PACKAGE_BUDGET_BYTES}-byte budget ` +
          `(WeChat's hard limit is ${WECHAT_MAIN_PACKAGE_LIMIT_BYTES}). Was it a production build? ` +
          'Move code to a sub-package or trim dependencies before raising the budget.',
      );
    }
    expect(bytes).toBeGreaterThan(0);
  });
});
