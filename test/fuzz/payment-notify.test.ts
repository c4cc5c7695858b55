import { fuzz, fuzzTimeoutMs } from './fuzz-runner';
import { useFuzzServer } from './fuzz-server';
import { NOTIFY_CI_CASES, notifyTarget } from './notify-target';

const fixture = useFuzzServer();

describe('fuzz: POST /api/pay/wxpay/notify', () => {
  it(
    'never credits, acknowledges or crashes on a notification that does not pay its order',
    async () => {
      await fuzz(await notifyTarget(fixture.server));
    },
    fuzzTimeoutMs(NOTIFY_CI_CASES),
  );
});
