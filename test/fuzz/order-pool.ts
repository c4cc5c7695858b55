import type { OrderState } from '@tokentill/shared-types';
import { createOrder, login } from '../support/api-client';
import type { TestServer } from '../support/test-server';

/** How many of the newest orders each case compares before and after (older ones were credited long ago). */
const WATCHED = 4;

/**
 * Real orders of one user, created through the API, for notifications to aim at: always one unpaid order (the
 * target), replaced as soon as a case gets it credited. Remembers every order it made, so an out_trade_no can be
 * recognised as "ours" and its price looked up.
 */
export class OrderPool {
  private readonly prices = new Map<string, number>();
  private readonly order: string[] = [];
  private token: string | undefined;
  private unpaid: string | undefined;

  constructor(private readonly server: TestServer) {}

  /** The order that is still CREATED (made on first use, and again after each credit). */
  async target(): Promise<{ id: string; priceFen: number }> {
    if (this.unpaid === undefined) {
      this.token ??= await login(this.server.url, 'fuzz-payer');
      const { orderId } = await createOrder(this.server.url, this.token);
      const record = await this.server.services.orderStore.get(orderId);
      if (!record) throw new Error(`order ${orderId} was created but cannot be read back`);
      this.prices.set(orderId, record.priceFen);
      this.order.push(orderId);
      this.unpaid = orderId;
    }
    return { id: this.unpaid, priceFen: this.prices.get(this.unpaid) as number };
  }

  /** Forget the target once it was credited: the next case gets a fresh unpaid order. */
  credited(id: string): void {
    if (this.unpaid === id) this.unpaid = undefined;
  }

  /** The price of an order of ours, or undefined for any other out_trade_no. */
  priceOf(id: unknown): number | undefined {
    return typeof id === 'string' ? this.prices.get(id) : undefined;
  }

  /** Some earlier order of the pool (for out_trade_no mutations), if there is one. */
  earlier(pick: number): string | undefined {
    const older = this.order.slice(0, -1);
    return older.length === 0 ? undefined : older[pick % older.length];
  }

  /** States of the newest orders and of `extra` (any it knows), read from the store. */
  async states(extra: unknown[] = []): Promise<Map<string, OrderState | undefined>> {
    const ids = new Set(this.order.slice(-WATCHED));
    for (const id of extra) if (this.priceOf(id) !== undefined) ids.add(id as string);
    const states = new Map<string, OrderState | undefined>();
    for (const id of ids) states.set(id, (await this.server.services.orderStore.get(id))?.state);
    return states;
  }
}
