/**
 * `npm run audit`: fails on any high or critical advisory against an installed package, except those listed
 * in `audit-exceptions.json` with the reason they do not apply. When the registry's audit endpoint cannot be
 * reached (an offline mirror answers 405, say) it says so and passes: no verdict is better than a false one,
 * and the run shows the endpoint was not asked.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Advisory {
  source?: number;
  url?: string;
  title?: string;
  severity?: string;
}
interface Vulnerability {
  name: string;
  severity: string;
  via: (string | Advisory)[];
}
interface AuditReport {
  vulnerabilities?: Record<string, Vulnerability>;
  error?: { code?: string; summary?: string };
  message?: string;
  statusCode?: number;
}
interface AuditException {
  /** The advisory's URL (https://github.com/advisories/GHSA-…). */
  advisory: string;
  why: string;
}

const BLOCKING = new Set(['high', 'critical']);
const root = join(__dirname, '..');
const exceptions = JSON.parse(readFileSync(join(root, 'audit-exceptions.json'), 'utf8')) as AuditException[];
const excepted = new Set(exceptions.map((e) => e.advisory));

const run = spawnSync('npm', ['audit', '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
let report: AuditReport;
try {
  report = JSON.parse(run.stdout) as AuditReport;
} catch {
  console.error(`npm audit printed no report (exit ${run.status}):\n${run.stderr}`);
  process.exit(1);
}

if (report.vulnerabilities === undefined) {
  const why = report.error?.summary || report.message || 'no vulnerabilities section';
  console.log(
    `npm audit: the registry's audit endpoint gave no verdict (${why}); not checked on this machine.`,
  );
  process.exit(0);
}

const blocking: string[] = [];
for (const vulnerability of Object.values(report.vulnerabilities)) {
  for (const via of vulnerability.via) {
    if (typeof via === 'string' || !BLOCKING.has(via.severity ?? '')) continue;
    if (via.url && excepted.has(via.url)) continue;
    blocking.push(`${vulnerability.name}: ${via.severity} — ${via.title ?? ''} ${via.url ?? ''}`);
  }
}
if (blocking.length > 0) {
  console.error(`npm audit: ${blocking.length} high or critical advisories:\n  ${blocking.join('\n  ')}`);
  console.error('Upgrade, or add the advisory to audit-exceptions.json with why it does not apply.');
  process.exit(1);
}
console.log(
  `npm audit: no high or critical advisories (${exceptions.length} documented exception(s) in audit-exceptions.json).`,
);
