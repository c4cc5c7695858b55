/**
 * Turns the server's JSON log lines (pino) into short readable lines for a terminal: time, level, message and
 * a few fields. Anything that is not a JSON log line is passed through unchanged.
 */
const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const SHOWN = [
  'method',
  'path',
  'status',
  'ms',
  'orderId',
  'event',
  'from',
  'to',
  'outcome',
  'reason',
  'model',
];

export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry['time'] === 'string' ? entry['time'].slice(11, 19) : '';
  const level = LEVELS[Number(entry['level'])] ?? String(entry['level']);
  const fields = SHOWN.filter((k) => entry[k] !== undefined).map((k) => `${k}=${String(entry[k])}`);
  const err = entry['err'] as { message?: string } | undefined;
  if (err?.message) fields.push(`error=${err.message}`);
  return `${time} ${level} ${String(entry['msg'] ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}`;
}

/** Splits a byte stream into lines, calling `onLine` for each complete one. */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  let partial = '';
  return (chunk) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) if (line) onLine(line);
  };
}
