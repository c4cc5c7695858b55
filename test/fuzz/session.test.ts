import { fuzz, fuzzTimeoutMs } from './fuzz-runner';
import { useFuzzServer } from './fuzz-server';
import { SESSION_CI_CASES, sessionTarget } from './session-target';

const fixture = useFuzzServer();

describe('fuzz: POST /api/session', () => {
  it(
    'answers any login with a session for a valid fresh code or a 4xx error envelope, never a 5xx',
    async () => {
      await fuzz(sessionTarget(fixture.server));
    },
    fuzzTimeoutMs(SESSION_CI_CASES),
  );
});
