export {
  INFERENCE_QUEUE,
  createInferenceQueue,
  type InferenceJobData,
  type InferenceQueue,
} from './inference-queue.js';
