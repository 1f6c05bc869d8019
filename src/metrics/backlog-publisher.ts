/**
 * Puts the task-queue backlog into CloudWatch once a minute, where ECS autoscaling can read it: the worker service
 * scales on `<namespace>/TaskQueueBacklog{TaskQueue}` (infra/lib/service-stack.ts). Prometheus is not reachable
 * from Application Auto Scaling, so this one figure takes the short way round.
 */
import { type CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { Logger } from '../logger.ts';
import { type ServiceMetricsDeps, taskQueueBacklog } from './service-metrics.ts';

export const BACKLOG_METRIC_NAME = 'TaskQueueBacklog';

export async function publishBacklog(options: {
  cloudwatch: CloudWatchClient;
  namespace: string;
  temporal: ServiceMetricsDeps['temporal'];
}): Promise<number> {
  const { workflow, activity } = await taskQueueBacklog(options.temporal);
  const backlog = workflow + activity;
  await options.cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: options.namespace,
      MetricData: [
        {
          MetricName: BACKLOG_METRIC_NAME,
          Dimensions: [{ Name: 'TaskQueue', Value: options.temporal.taskQueue }],
          Value: backlog,
          Unit: 'Count',
          Timestamp: new Date(),
        },
      ],
    }),
  );
  return backlog;
}

export function startBacklogPublisher(
  options: Parameters<typeof publishBacklog>[0] & { logger: Logger; intervalMs?: number },
): { stop(): void } {
  const timer = setInterval(() => {
    publishBacklog(options).catch((error) => options.logger.warn({ err: error }, 'backlog not published'));
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
