export * from './error-codes.js';
export * from './api-envelope.js';
export * from './health.js';
export * from './ws-protocol.js';
export * from './order-state.js';
export * from './order.js';
export * from './session.js';
