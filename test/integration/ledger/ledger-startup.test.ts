import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../server/src/config';
import { LedgerUnavailableError } from '../../../server/src/ledger';
import { createLogger } from '../../../server/src/observability/logger';
import { startServer } from '../../../server/src/server';
import { freshSchema, testDatabaseUrl } from '../../support/test-postgres';
import { DEFAULT_REDIS_URL } from '../../../scripts/lib/local-redis';

function configWith(env: NodeJS.ProcessEnv) {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    SANDBOX: '1',
    SANDBOX_KEYS_DIR: mkdtempSync(join(tmpdir(), 'tt-ledger-startup-')),
    REDIS_URL: process.env['REDIS_URL'] || DEFAULT_REDIS_URL,
    IN_PROCESS_WORKER: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
}

describe('starting a server against its ledger', () => {
  it('refuses a schema behind the code, naming the command that fixes it', async () => {
    const config = configWith({ DATABASE_URL: testDatabaseUrl(), DATABASE_SCHEMA: freshSchema() });
    const started = startServer(config, createLogger({ level: 'silent' }));
    await expect(started).rejects.toThrow(LedgerUnavailableError);
    await expect(started).rejects.toThrow(/behind this code.*npm run migrate/s);
  });

  it('refuses an unreachable PostgreSQL, naming where it looked without its password', async () => {
    const config = configWith({ DATABASE_URL: 'postgres://ledger:s3cret@127.0.0.1:9/nowhere' });
    const started = startServer(config, createLogger({ level: 'silent' }));
    await expect(started).rejects.toThrow(
      /Cannot reach the ledger's PostgreSQL at postgres:\/\/ledger:\*\*\*@127\.0\.0\.1:9/,
    );
    await expect(started).rejects.not.toThrow(/s3cret/);
  });
});
