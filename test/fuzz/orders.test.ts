import { fuzz, fuzzTimeoutMs } from './fuzz-runner';
import { useFuzzServer } from './fuzz-server';
import { ORDERS_CI_CASES, ordersTarget } from './orders-target';

const fixture = useFuzzServer();

describe('fuzz: the orders API', () => {
  it(
    'answers any request with a 2xx for the owner or a 4xx error envelope, never a 5xx',
    async () => {
      await fuzz(await ordersTarget(fixture.server));
    },
    fuzzTimeoutMs(ORDERS_CI_CASES),
  );
});
