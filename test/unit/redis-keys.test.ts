import { createRedisKeys } from '../../server/src/redis/keys';

describe('Redis key builders', () => {
  const keys = createRedisKeys('tt:');

  it('prefixes every key with the deployment prefix', () => {
    expect(keys.session('abc_DEF-123')).toBe('tt:session:abc_DEF-123');
    expect(keys.all).toBe('tt:*');
  });

  it('puts all keys of one order in the same Redis Cluster hash slot', () => {
    const tag = (key: string) => /\{([^}]*)\}/.exec(key)?.[1];
    expect(tag(keys.order('o123456789'))).toBe('o:o123456789');
    expect(tag(keys.orderStream('o123456789'))).toBe(tag(keys.order('o123456789')));
    expect(tag(keys.order('o987654321'))).not.toBe(tag(keys.order('o123456789')));
  });

  it('refuses ids that would break a hash tag or a SCAN pattern', () => {
    expect(() => keys.order('a}b')).toThrow(TypeError);
    expect(() => keys.order('*')).toThrow(TypeError);
    expect(() => keys.session('')).toThrow(TypeError);
  });
});
