/**
 * A production-like build of the server for memory measurements, in a temporary directory: every file of
 * server/src and shared-types/src transpiled on its own with TypeScript's transpileModule (the code base is
 * `isolatedModules`, so this is what tsc emits, minus type checking), Lua scripts copied, and node_modules /
 * config linked. The server then runs as plain `node <dir>/server/dist/main.js`, without the tsx loader and its
 * transpile caches, which would otherwise inflate the baseline RSS. Nothing is written inside the repository.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const REPO = join(__dirname, '..', '..');

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

function transpileTree(srcDir: string, outDir: string, module: ts.ModuleKind): number {
  let count = 0;
  for (const file of files(srcDir)) {
    const rel = relative(srcDir, file);
    const out = join(outDir, rel);
    mkdirSync(dirname(out), { recursive: true });
    if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
      const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
        fileName: file,
        compilerOptions: {
          module,
          target: ts.ScriptTarget.ES2022,
          esModuleInterop: true,
          isolatedModules: true,
          sourceMap: false,
        },
      });
      writeFileSync(out.replace(/\.ts$/, '.js'), outputText);
      count++;
    } else if (file.endsWith('.lua') || file.endsWith('.json')) {
      cpSync(file, out);
    }
  }
  return count;
}

export interface TranspiledServer {
  /** `node <main>` starts the API process. */
  main: string;
  files: number;
  cleanup(): void;
}

export function transpileServer(): TranspiledServer {
  const root = mkdtempSync(join(tmpdir(), 'tokentill-bench-build-'));
  try {
    let count = transpileTree(
      join(REPO, 'server', 'src'),
      join(root, 'server', 'dist'),
      ts.ModuleKind.CommonJS,
    );
    writeFileSync(join(root, 'server', 'package.json'), JSON.stringify({ type: 'commonjs' }));
    // shared-types is an ES module package; its `default` export condition points at dist/index.js.
    count += transpileTree(
      join(REPO, 'shared-types', 'src'),
      join(root, 'shared-types', 'dist'),
      ts.ModuleKind.ES2022,
    );
    cpSync(join(REPO, 'shared-types', 'package.json'), join(root, 'shared-types', 'package.json'));
    // node_modules: every package linked from the repository, except our own workspace packages.
    const modules = join(root, 'node_modules');
    mkdirSync(join(modules, '@tokentill'), { recursive: true });
    for (const entry of readdirSync(join(REPO, 'node_modules'))) {
      if (entry === '@tokentill' || entry === '.bin') continue;
      symlinkSync(join(REPO, 'node_modules', entry), join(modules, entry));
    }
    symlinkSync(join(root, 'shared-types'), join(modules, '@tokentill', 'shared-types'));
    // config/ sits two levels above dist, as in the repository (the default catalog is found there).
    symlinkSync(join(REPO, 'config'), join(root, 'config'));
    return {
      main: join(root, 'server', 'dist', 'main.js'),
      files: count,
      cleanup: () => rmSync(root, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
}
