import type { Services } from '../../server/src/services';

/** How many jobs the inference queue holds for an order, in any state (one per paid order, never two). */
export async function jobsFor(services: Pick<Services, 'queue'>, orderId: string): Promise<number> {
  const jobs = await services.queue.queue.getJobs([
    'waiting',
    'active',
    'completed',
    'failed',
    'delayed',
    'prioritized',
  ]);
  return jobs.filter((job) => job.data.orderId === orderId).length;
}
