/**
 * `npm run check:cycles`: fails when source files import each other in a loop (directly or through others), type
 * imports included — a cycle makes load order matter and blurs which module is the lower layer. Reads the
 * relative `import`/`export … from` specifiers of the server, shared types, Mini Program and scripts; resolves them
 * as TypeScript does (`.js` → `.ts`, a folder → its index) and, for the Mini Program, to every platform variant
 * Taro may pick (`login` → `login.ts`, `login.weapp.ts`, `login.h5.ts`).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..');
const SOURCE_DIRS = ['server/src', 'shared-types/src', 'miniprogram/src', 'scripts'];
const EXTENSIONS = ['.ts', '.tsx'];
const PLATFORMS = ['', '.weapp', '.h5'];
const SPECIFIER =
  /(?:import|export)\s[^'"`;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return name === 'node_modules' || name.startsWith('dist') ? [] : sourceFiles(path);
    return EXTENSIONS.some((ext) => name.endsWith(ext)) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every file a relative specifier may load. */
function resolveSpecifier(from: string, specifier: string): string[] {
  const base = resolve(dirname(from), specifier.replace(/\.js$/, ''));
  const candidates = [base, join(base, 'index')].flatMap((stem) =>
    PLATFORMS.flatMap((platform) => EXTENSIONS.map((ext) => `${stem}${platform}${ext}`)),
  );
  return candidates.filter((path) => existsSync(path));
}

const files = SOURCE_DIRS.flatMap((dir) => sourceFiles(join(ROOT, dir)));
const graph = new Map<string, string[]>();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const targets = [...text.matchAll(SPECIFIER)].flatMap((m) => resolveSpecifier(file, m[1] ?? m[2] ?? ''));
  graph.set(
    file,
    [...new Set(targets)].filter((t) => t !== file),
  );
}

// Tarjan's strongly connected components: every component of more than one file is a cycle.
let index = 0;
const indices = new Map<string, number>();
const lowLinks = new Map<string, number>();
const stack: string[] = [];
const onStack = new Set<string>();
const cycles: string[][] = [];
function connect(file: string): void {
  indices.set(file, index);
  lowLinks.set(file, index);
  index++;
  stack.push(file);
  onStack.add(file);
  for (const next of graph.get(file) ?? []) {
    if (!indices.has(next)) {
      connect(next);
      lowLinks.set(file, Math.min(lowLinks.get(file)!, lowLinks.get(next)!));
    } else if (onStack.has(next)) {
      lowLinks.set(file, Math.min(lowLinks.get(file)!, indices.get(next)!));
    }
  }
  if (lowLinks.get(file) === indices.get(file)) {
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1) cycles.push(component);
  }
}
for (const file of graph.keys()) if (!indices.has(file)) connect(file);

if (cycles.length > 0) {
  console.error(`Import cycles (${cycles.length}):`);
  for (const cycle of cycles) console.error(`  ${cycle.map((f) => relative(ROOT, f)).join(' ↔ ')}`);
  process.exit(1);
}
console.log(`No import cycles among ${files.length} source files.`);
