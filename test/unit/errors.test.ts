import { ERROR_CODES } from '@tokentill/shared-types';
import { z } from 'zod';
import { AppError, CODE_TO_STATUS } from '../../server/src/errors';
import { toAppError } from '../../server/src/http/middleware/error-handler';

describe('error codes', () => {
  it('maps every shared error code to a 4xx or 5xx status', () => {
    expect(Object.keys(CODE_TO_STATUS).sort()).toEqual([...ERROR_CODES].sort());
    for (const status of Object.values(CODE_TO_STATUS)) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });

  it('exposes messages only below 500', () => {
    expect(new AppError('NOT_FOUND', 'x').expose).toBe(true);
    expect(new AppError('INTERNAL', 'x').expose).toBe(false);
    expect(new AppError('UPSTREAM_ERROR', 'x').status).toBe(502);
  });
});

describe('toAppError', () => {
  it('turns a zod failure into VALIDATION_FAILED with one issue per field', () => {
    const result = z.object({ prompt: z.string().min(1), tier: z.string() }).safeParse({ prompt: '' });
    const err = toAppError(result.error);
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details?.['issues']).toEqual([
      { path: 'prompt', message: expect.any(String) },
      { path: 'tier', message: expect.any(String) },
    ]);
  });

  it('turns the body parser errors into stable codes', () => {
    const syntax = Object.assign(new SyntaxError('Unexpected token'), { status: 400 });
    expect(toAppError(syntax).code).toBe('BAD_JSON');
    expect(
      toAppError(Object.assign(new Error('too big'), { status: 413, type: 'entity.too.large' })).code,
    ).toBe('PAYLOAD_TOO_LARGE');
  });

  it('masks anything unknown as INTERNAL and keeps the cause for logs', () => {
    const original = new Error('connection to 10.0.0.5 refused');
    const err = toAppError(original);
    expect(err.code).toBe('INTERNAL');
    expect(err.message).not.toContain('10.0.0.5');
    expect(err.cause).toBe(original);
  });
});
