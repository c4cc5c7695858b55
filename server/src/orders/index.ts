export { createLiveOrders, type LiveOrders } from './live-orders.js';
export { CLOSE_GRACE_MS, createOrderService, type OrderLimits, type OrderService } from './order-service.js';
export {
  TRANSITIONS,
  nextStates,
  transition,
  type OrderEvent,
  type TransitionResult,
} from './order-state.js';
export { createOrderStore, type OrderRecord, type OrderStore } from './order-store.js';
export { createApplyEvent, type ApplyEvent } from './order-transitions.js';
export { toOrderView } from './order-view.js';
export { createPaymentEvents, type PaymentEvents, type PaymentOutcome } from './payment-events.js';
export { createReconciler, type Reconciler } from './reconciler.js';
export { createRecoverySweep, type RecoverySweep } from './recovery-sweep.js';
export { createRefundService, outRefundNoFor, type RefundService } from './refund-service.js';
export { createLedgerHealer, type LedgerHealer } from './ledger-healer.js';
