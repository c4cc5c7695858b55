/**
 * Optional CPU profile of this process's main thread around one phase (BENCH_CPU_PROFILE=<dir>): writes a
 * .cpuprofile (open it in Chrome DevTools) and prints the functions with the most self time, grouped by file.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

const PROFILE_DIR = process.env['BENCH_CPU_PROFILE'];

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T))),
  );
}

/** Starts profiling when BENCH_CPU_PROFILE is set; the returned function stops and reports. */
export async function startProfile(name: string): Promise<() => Promise<void>> {
  if (!PROFILE_DIR) return async () => undefined;
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
  await post(session, 'Profiler.start');
  return async () => {
    const { profile } = await post<{ profile: Profile }>(session, 'Profiler.stop');
    session.disconnect();
    mkdirSync(PROFILE_DIR, { recursive: true });
    const file = join(PROFILE_DIR, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const total = profile.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0);
    const byFunction = new Map<string, number>();
    const byArea = new Map<string, number>();
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      if (hits === 0) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      const short = url
        .replace(/^file:\/\//, '')
        .replace(/^.*\/node_modules\//, 'nm:')
        .replace(/^.*\/main\//, '');
      const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
      const area = short.startsWith('nm:')
        ? `nm:${short.slice(3).split('/')[0]?.startsWith('@') ? short.slice(3).split('/').slice(0, 2).join('/') : short.slice(3).split('/')[0]}`
        : short === ''
          ? `(${functionName || 'native'})`
          : short.startsWith('node:')
            ? short
            : short.split('/').slice(0, 3).join('/');
      byArea.set(area, (byArea.get(area) ?? 0) + hits);
    }
    const top = (m: Map<string, number>, n: number) =>
      [...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([k, v]) => `  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
        .join('\n');
    console.log(`\nCPU profile ${file} (${total} samples)\nself time by area:\n${top(byArea, 20)}`);
    console.log(`self time by function:\n${top(byFunction, 25)}`);
  };
}
