export {
  createMockModel,
  DEFAULT_MOCK_MODEL_PREFIX,
  DEFAULT_MOCK_MODELS,
  type MockModel,
  type MockModelOptions,
  type MockModelProfile,
} from './mock-model.js';
export {
  createMockModelApp,
  startMockModelServer,
  type MockModelApp,
  type MockModelServer,
} from './mock-model-app.js';
export {
  estimatePromptTokens,
  expectedMockAnswer,
  mockCompletion,
  tokenize,
  type MockChatMessage,
  type MockCompletion,
} from './mock-answer.js';
export { FAULT_KINDS, type Fault, type FaultKind, type FaultSpec } from './faults.js';
export type { MockModelCounters, MockModelStats, RecentRequest } from './mock-stats.js';
export type { Timing } from './chat-completion.js';
