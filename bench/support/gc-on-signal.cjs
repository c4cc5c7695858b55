// Preloaded (with --expose-gc) into the server process bench/ws-idle.ts measures: SIGUSR2 runs a full garbage
// collection and, when BENCH_MEMORY_FILE is set, writes process.memoryUsage() there as JSON, so the benchmark can
// read RSS with no garbage pending and see how it splits. Changes nothing else in the server.
const { writeFileSync } = require('node:fs');

process.on('SIGUSR2', () => {
  if (typeof global.gc === 'function') global.gc();
  const file = process.env.BENCH_MEMORY_FILE;
  if (file) writeFileSync(file, JSON.stringify(process.memoryUsage()));
});
