import { Writable } from 'node:stream';
import { createLogger } from '../../server/src/observability/logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info' }, stream) };
}

describe('logger', () => {
  it('censors authorization headers, signatures, tokens and openids wherever they appear', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        headers: { authorization: 'WECHATPAY2-SHA256-RSA2048 mchid="1"', 'wechatpay-signature': 'abc' },
        payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
        session: { token: 'tok_secret' },
        config: { WXPAY_APIV3_KEY: 'k'.repeat(32) },
      },
      'hello',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ['mchid=', '"abc"', 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', 'tok_secret', 'k'.repeat(32)]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
    expect(lines[0]).toMatchObject({ msg: 'hello', name: 'tokentill' });
  });
});
