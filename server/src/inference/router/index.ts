export { createModelRouter, type ModelRouterOptions } from './model-router.js';
export { isCanary } from './canary.js';
export {
  billedUsage,
  costFen,
  createTokenCounter,
  estimatePromptTokens,
  estimateTokens,
  sumFen,
  type AttemptConsumption,
} from './usage.js';
export { classifyFailure, isProviderFailure } from './classify-failure.js';
export { createCircuitBreaker, type Admission, type CircuitBreaker } from './circuit-breaker.js';
export { createSemaphore, type Semaphore } from './semaphore.js';
export type {
  AnswerSink,
  AttemptOutcome,
  AttemptRecord,
  ChatMessage,
  CircuitState,
  ModelRouter,
  RouteRequest,
  RouteResult,
  Usage,
} from './types.js';
