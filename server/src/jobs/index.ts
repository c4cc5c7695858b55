export {
  INFERENCE_QUEUE,
  createInferenceQueue,
  isJobPending,
  type InferenceJobData,
  type InferenceQueue,
} from './inference-queue.js';
export { runPeriodically, type PeriodicTask } from './periodic-task.js';
