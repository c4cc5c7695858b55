import OpenAI from 'openai';
import { classifyFailure, isProviderFailure } from '../../../../server/src/inference/router';

const headers = new Headers();

describe('classifyFailure', () => {
  it('maps the SDK error classes to outcomes, subclasses first', () => {
    expect(classifyFailure(new OpenAI.APIConnectionTimeoutError(), false)).toBe('total_timeout');
    expect(classifyFailure(new OpenAI.RateLimitError(429, undefined, 'slow down', headers), false)).toBe(
      'http_429',
    );
    expect(classifyFailure(new OpenAI.InternalServerError(503, undefined, 'down', headers), false)).toBe(
      'http_5xx',
    );
    expect(classifyFailure(OpenAI.APIError.generate(502, undefined, 'bad gateway', headers), false)).toBe(
      'http_5xx',
    );
    expect(classifyFailure(new OpenAI.BadRequestError(400, undefined, 'bad', headers), false)).toBe(
      'http_4xx',
    );
    expect(classifyFailure(new OpenAI.AuthenticationError(401, undefined, 'key', headers), false)).toBe(
      'http_4xx',
    );
    expect(classifyFailure(new OpenAI.NotFoundError(404, undefined, 'model', headers), false)).toBe(
      'http_4xx',
    );
  });

  it('tells a refused connection from a timed-out one, whichever realm the abort came from', () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: new Error('connect ECONNREFUSED'),
    });
    expect(classifyFailure(new OpenAI.APIConnectionError({ cause: refused }), false)).toBe('connect_error');
    // Inside jest the SDK's own timeout surfaces as the parent class, caused by an AbortError.
    const abort = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
    expect(classifyFailure(new OpenAI.APIConnectionError({ cause: abort }), false)).toBe('total_timeout');
  });

  it('calls errors without an HTTP status cuts, before or after the first token', () => {
    const terminated = new TypeError('terminated');
    expect(classifyFailure(terminated, false)).toBe('cut_before_first_token');
    expect(classifyFailure(terminated, true)).toBe('cut_after_tokens');
    // An `error` event inside the SSE stream.
    const inStream = new OpenAI.APIError(undefined, { message: 'overloaded' }, undefined, undefined);
    expect(classifyFailure(inStream, true)).toBe('cut_after_tokens');
  });
});

describe('isProviderFailure', () => {
  it('charges the circuit for provider trouble, not for 4xx, aborts or skips', () => {
    expect(isProviderFailure('http_5xx')).toBe(true);
    expect(isProviderFailure('first_token_timeout')).toBe(true);
    expect(isProviderFailure('cut_after_tokens')).toBe(true);
    expect(isProviderFailure('http_4xx')).toBe(false);
    expect(isProviderFailure('aborted')).toBe(false);
    expect(isProviderFailure('skipped_circuit_open')).toBe(false);
    expect(isProviderFailure('ok')).toBe(false);
  });
});
