import {
  CONVERSATION_KEY,
  CONVERSATION_LIMIT,
  loadConversation,
  saveConversation,
  type Turn,
} from '../../../miniprogram/src/services/conversation';
import { storage } from '../mocks/taro';

const turn = (id: string, patch: Partial<Turn> = {}): Turn => ({
  id,
  prompt: `q${id}`,
  tierId: 'basic',
  tierTitle: '基础',
  priceFen: 10,
  createdAt: 1,
  phase: 'paid',
  orderId: `order-${id}-000000`,
  ...patch,
});

describe('stored conversation', () => {
  beforeEach(() => storage.clear());

  it('keeps the last turns only', () => {
    saveConversation(Array.from({ length: CONVERSATION_LIMIT + 5 }, (_, i) => turn(String(i))));
    const loaded = loadConversation();
    expect(loaded).toHaveLength(CONVERSATION_LIMIT);
    expect(loaded[0]?.id).toBe('5');
  });

  it('reads a turn interrupted mid-payment as paid-or-not (the order state decides), or cancelled without an order', () => {
    storage.set(CONVERSATION_KEY, [
      turn('a', { phase: 'paying' }),
      turn('b', { phase: 'paying', orderId: undefined }),
      { junk: true },
    ]);
    const [withOrder, withoutOrder, ...rest] = loadConversation();
    expect(withOrder).toMatchObject({ phase: 'paid', payUnknown: true });
    expect(withoutOrder).toMatchObject({ phase: 'cancelled' });
    expect(rest).toHaveLength(0);
  });
});
