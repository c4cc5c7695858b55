export {
  INFERENCE_QUEUE,
  createInferenceQueue,
  isJobPending,
  type InferenceJobData,
  type InferenceQueue,
} from './inference-queue.js';
