import { ErrorEnvelopeSchema } from '@tokentill/shared-types';
import { apiClient, login } from '../support/api-client';
import { useFuzzServer } from './fuzz-server';

/**
 * Defects the fuzz suite found, each pinned by a plain deterministic case. Found with the seed and case named in
 * each test; the fuzz targets keep generating such inputs, this keeps the exact one.
 */
const fixture = useFuzzServer();

describe('fuzz findings', () => {
  // orders target, FUZZ_SEED=20240611 FUZZ_CASE=269: {"prompt":"\u0000","tier":"basic"} answered 503
  // PAYMENT_UNAVAILABLE: PostgreSQL refused the ledger row ("invalid byte sequence for encoding UTF8: 0x00").
  it.each([['\u0000'], ['a\u0000b'], ['用一句话解释\u0000什么是量子纠缠']])(
    'refuses a prompt holding U+0000 (%j) as bad input, not as an outage',
    async (prompt) => {
      const token = await login(fixture.server.url);
      const res = await apiClient(fixture.server.url, token).post('/api/orders', { prompt, tier: 'basic' });
      expect(res.status).toBe(400);
      const { error } = ErrorEnvelopeSchema.parse(res.body);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.issues).toEqual([{ path: 'prompt', message: expect.stringContaining('U+0000') }]);
    },
  );
});
