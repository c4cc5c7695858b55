export { createInferenceWorker, type InferenceWorker, type InferenceWorkerDeps } from './inference-worker.js';
export { createAnswerBatcher, type AnswerBatcher } from './answer-batcher.js';
export { redactPii } from './redaction/index.js';
export { createModelRouter, isCanary, type ModelRouter, type RouteResult } from './router/index.js';
