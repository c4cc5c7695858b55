import { createLogger } from './observability/logger.js';
import { exitOnSignals, exitOnStartFailure, loadConfigOrExit } from './process-entry.js';
import { startServer } from './server.js';

/** API process: config → HTTP + WebSocket server (and, unless IN_PROCESS_WORKER=0, the background work). */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL });
  const running = await startServer(config, logger);
  exitOnSignals(running.close, logger);
}

main().catch(exitOnStartFailure('TokenTill server'));
