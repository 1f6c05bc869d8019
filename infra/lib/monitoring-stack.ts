/** CloudWatch alarms for what AWS itself measures — DLQ depth, Lambda errors, RDS storage — to an ops topic. */
import {
  aws_cloudwatch_actions as actions,
  aws_cloudwatch as cloudwatch,
  Duration,
  aws_iam as iam,
  aws_kms as kms,
  Stack,
  type StackProps,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type KycDataStack, SEED_QUEUES } from './data-stack.ts';
import type { KycServiceStack } from './service-stack.ts';
import type { KycSettings } from './settings.ts';

/** Free storage below this many bytes raises the RDS alarm (the instance starts at 50 GiB and may grow to 200). */
export const RDS_FREE_STORAGE_ALARM_BYTES = 5 * 1024 ** 3;

export interface KycMonitoringStackProps extends StackProps {
  settings: KycSettings;
  data: KycDataStack;
  service: KycServiceStack;
}

export class KycMonitoringStack extends Stack {
  readonly opsTopic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: KycMonitoringStackProps) {
    super(scope, id, props);
    const { settings, data, service } = props;

    const opsKey = new kms.Key(this, 'OpsTopicKey', {
      alias: 'alias/kyc-ops-alarms',
      description: 'KYC: ops alarm topic',
      enableKeyRotation: true,
    });
    // CloudWatch publishes alarms to the encrypted topic; it needs the key for that and for nothing else.
    opsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        resources: ['*'],
      }),
    );
    this.opsTopic = new sns.Topic(this, 'OpsTopic', {
      topicName: 'kyc-ops-alarms',
      masterKey: opsKey,
      enforceSSL: true,
    });
    if (settings.opsEmail) this.opsTopic.addSubscription(new subscriptions.EmailSubscription(settings.opsEmail));
    const notifyOps = new actions.SnsAction(this.opsTopic);

    const alarm = (id: string, props: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, id, props);
      created.addAlarmAction(notifyOps);
      created.addOkAction(notifyOps);
      this.alarms.push(created);
    };

    for (const [name, pair] of [
      ...SEED_QUEUES.map((name) => [name, data.queues[name]] as const),
      ['kyc-raw-events', data.s3Events] as const,
    ]) {
      alarm(`DeadLetters-${name}`, {
        alarmName: `kyc-dlq-${name}`,
        alarmDescription: `Messages in ${name}-dlq: they failed ${name} five times. Read them, fix the cause, redrive.`,
        metric: pair.dlq.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    alarm('BridgeErrors', {
      alarmName: 'kyc-s3-bridge-errors',
      alarmDescription: 'The S3 bridge Lambda failed invocations (uploads not signalled; SQS will retry them).',
      metric: service.bridge.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('DatabaseStorage', {
      alarmName: 'kyc-rds-free-storage',
      alarmDescription: 'PostgreSQL has less than 5 GiB free; storage autoscaling may have reached its maximum.',
      metric: data.database.metricFreeStorageSpace({ period: Duration.minutes(5), statistic: 'Minimum' }),
      threshold: RDS_FREE_STORAGE_ALARM_BYTES,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}
