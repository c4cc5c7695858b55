import { fuzz, fuzzTimeoutMs } from './fuzz-runner';
import { useFuzzServer } from './fuzz-server';
import { WS_CI_CASES, wsTarget } from './ws-target';

const fixture = useFuzzServer();

describe('fuzz: the /ws protocol', () => {
  it(
    'answers any frames with protocol errors or a justified close, and keeps serving other sockets',
    async () => {
      const target = await wsTarget(fixture.server);
      try {
        await fuzz(target);
      } finally {
        await target.close();
      }
    },
    fuzzTimeoutMs(WS_CI_CASES),
  );
});
