/**
 * The CDK app, synthesized offline: the seed's names, encryption, blocked public access, DLQ redrive, no wildcard
 * actions, cdk-nag's AwsSolutions pack with every acknowledgement justified, and cfn-lint on the templates.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECEIVE_COUNT, S3_EVENTS_QUEUE, SEED_QUEUES } from '../../infra/lib/data-stack.ts';
import { locateBinary } from '../../src/runtime/binaries.ts';
import { synthKycApp, templateOf } from './synth.ts';

let synth: ReturnType<typeof synthKycApp>;
let data: Template;
let service: Template;
let monitoring: Template;
const STACKS = ['KycData', 'KycService', 'KycMonitoring'] as const;

beforeAll(() => {
  synth = synthKycApp();
  data = Template.fromStack(synth.data);
  service = Template.fromStack(synth.service);
  monitoring = Template.fromStack(synth.monitoring);
});

describe('the data stack', () => {
  it('keeps uploads in the seed bucket kyc-raw: SSE-KMS, public access blocked, TLS only, retention lifecycle', () => {
    data.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'kyc-raw',
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
            BucketKeyEnabled: true,
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'kyc-raw/',
            ExpirationInDays: 730,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          }),
        ]),
      },
    });
    const bucketPolicies = data.findResources('AWS::S3::BucketPolicy');
    for (const policy of Object.values(bucketPolicies)) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
    // Every bucket in the app blocks public access, the log buckets too.
    for (const template of [data, service]) {
      for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) {
        expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        expect(bucket.Properties.BucketEncryption).toBeDefined();
      }
    }
  });

  it('declares the seed queues, each encrypted and redriving to its own DLQ', () => {
    const queues = data.findResources('AWS::SQS::Queue');
    const byName = new Map(Object.entries(queues).map(([id, queue]) => [queue.Properties.QueueName as string, id]));
    for (const name of [...SEED_QUEUES, S3_EVENTS_QUEUE]) {
      const id = byName.get(name);
      const dlqId = byName.get(`${name}-dlq`);
      expect(id, name).toBeDefined();
      expect(dlqId, `${name}-dlq`).toBeDefined();
      expect(queues[id as string]?.Properties.KmsMasterKeyId).toBeDefined();
      expect(queues[dlqId as string]?.Properties.KmsMasterKeyId).toBeDefined();
      expect(queues[id as string]?.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: MAX_RECEIVE_COUNT,
      });
    }
    // S3 → the events queue, for objects under the seed prefix only.
    data.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'kyc-raw/' }] } },
          }),
        ],
      },
    });
  });

  it('encrypts the topic, the database and the secrets; the database is private', () => {
    data.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'kyc-decisions', KmsMasterKeyId: Match.anyValue() });
    data.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      DBName: 'kyc',
      StorageEncrypted: true,
      PubliclyAccessible: false,
      MultiAZ: true,
      DeletionProtection: true,
      EnableIAMDatabaseAuthentication: true,
    });
    for (const secret of Object.values(data.findResources('AWS::SecretsManager::Secret'))) {
      expect(secret.Properties.KmsKeyId).toBeDefined();
    }
    const secretNames = Object.values(data.findResources('AWS::SecretsManager::Secret')).map(
      (secret) => secret.Properties.Name,
    );
    expect(secretNames.sort()).toEqual(['kyc/database', 'kyc/oidc', 'kyc/payload-keys', 'kyc/service', 'kyc/temporal']);
    for (const key of Object.values(data.findResources('AWS::KMS::Key'))) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
    }
    data.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/kyc-payload-codec' });
    data.resourceCountIs('AWS::SES::EmailIdentity', 1);
  });
});

describe('the service stack', () => {
  it('runs the worker and the HTTP service on Fargate, HTTPS only at the load balancer', () => {
    service.hasResourceProperties('AWS::ECS::Service', { ServiceName: 'kyc-worker', LaunchType: 'FARGATE' });
    service.hasResourceProperties('AWS::ECS::Service', { ServiceName: 'kyc-http', LaunchType: 'FARGATE' });
    service.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      Port: 443,
      Certificates: [{ CertificateArn: Match.stringLikeRegexp('^arn:aws:acm:') }],
    });
    service.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTP',
      DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS' }) })],
    });
    service.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'kyc-migrate',
      ContainerDefinitions: [Match.objectLike({ Command: ['migrate'] })],
    });
    // Workers scale on the task-queue backlog.
    service.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
    });
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'KYC',
      MetricName: 'TaskQueueBacklog',
      Dimensions: [{ Name: 'TaskQueue', Value: 'kyc' }],
    });
  });

  it('reads Temporal settings from context and credentials from Secrets Manager', () => {
    const worker = Object.values(service.findResources('AWS::ECS::TaskDefinition')).find(
      (task) => task.Properties.Family === 'kyc-worker',
    );
    const container = worker?.Properties.ContainerDefinitions[0];
    const environment = Object.fromEntries(
      container.Environment.map(({ Name, Value }: { Name: string; Value: unknown }) => [Name, Value]),
    );
    expect(environment.TEMPORAL_ADDRESS).toBe('my-namespace.a1b2c.tmprl.cloud:7233');
    // The memory settings the idle bench measured (bench/rig.ts runs its worker with the same).
    expect(environment.NODE_OPTIONS).toBe('--max-old-space-size=512 --max-semi-space-size=1');
    expect(environment.TEMPORAL_NAMESPACE).toBe('my-namespace.a1b2c');
    const secretNames = container.Secrets.map(({ Name }: { Name: string }) => Name);
    expect(secretNames).toEqual(expect.arrayContaining(['TEMPORAL_API_KEY', 'PGPASSWORD', 'KYC_PAYLOAD_KEYS_KMS']));
    expect(JSON.stringify(container.Environment)).not.toMatch(/PASSWORD|TEMPORAL_API_KEY"/);
    // Uploads are written with SSE-KMS under the bucket's own key.
    expect(JSON.stringify(environment.KYC_S3_KMS_KEY_ID)).toMatch(/UploadsKey/);

    // No bundling this time (CDK's own switch): only the task definitions matter here.
    const mtls = synthKycApp({ 'kyc:temporalAuth': 'mtls', 'aws:cdk:bundling-stacks': [] });
    const mtlsWorker = Object.values(Template.fromStack(mtls.service).findResources('AWS::ECS::TaskDefinition')).find(
      (task) => task.Properties.Family === 'kyc-worker',
    );
    // The client reads file paths (TEMPORAL_TLS_CLIENT_*_PATH): the values are written to private files first.
    const mtlsContainer = mtlsWorker?.Properties.ContainerDefinitions[0];
    expect(mtlsContainer.Secrets.map(({ Name }: { Name: string }) => Name)).toEqual(
      expect.arrayContaining(['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY']),
    );
    expect(mtlsContainer.EntryPoint).toEqual(['sh', '-c']);
    expect(mtlsContainer.Command[0]).toMatch(
      /export TEMPORAL_TLS_CLIENT_CERT_PATH=.*exec node src\/production\.ts worker$/,
    );
    expect(container.Command).toEqual(['worker']);
    // The first deploy starts no task, so that the migration task runs first.
    const firstDeploy = synthKycApp({ 'kyc:runServices': 'false', 'aws:cdk:bundling-stacks': [] });
    const desiredCounts = Object.values(Template.fromStack(firstDeploy.service).findResources('AWS::ECS::Service')).map(
      (ecsService) => ecsService.Properties.DesiredCount,
    );
    expect(desiredCounts).toEqual([0, 0]);
    expect(() => synthKycApp({ 'kyc:temporalAuth': 'none', 'aws:cdk:bundling-stacks': [] })).toThrow(
      /kyc:temporalAuth: Temporal Cloud needs/,
    );
  });

  it("gives the API task the console's sign-in and session secret from Secrets Manager, never in its environment", () => {
    const http = Object.values(service.findResources('AWS::ECS::TaskDefinition')).find(
      (task) => task.Properties.Family === 'kyc-http',
    );
    const container = http?.Properties.ContainerDefinitions[0];
    const secretNames = container.Secrets.map(({ Name }: { Name: string }) => Name);
    expect(secretNames).toEqual(
      expect.arrayContaining([
        'KYC_OIDC_ISSUER',
        'KYC_OIDC_CLIENT_ID',
        'KYC_OIDC_CLIENT_SECRET',
        'KYC_OIDC_AUTHORIZATION_URL',
        'KYC_OIDC_TOKEN_URL',
        'KYC_CONSOLE_SESSION_SECRET',
      ]),
    );
    expect(JSON.stringify(container.Environment)).not.toMatch(/CLIENT_SECRET|SESSION_SECRET/);
  });

  it('gives the worker exactly the AWS calls its code makes', () => {
    const policies = service.findResources('AWS::IAM::Policy');
    const workerPolicy = Object.entries(policies).find(([id]) => id.startsWith('WorkerTaskTaskRoleDefaultPolicy'));
    expect(workerPolicy).toBeDefined();
    const statements = (workerPolicy as [string, { Properties: { PolicyDocument: { Statement: unknown[] } } }])[1]
      .Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>;
    const actions = statements.flatMap((statement) => statement.Action).sort();
    expect(actions).toEqual([
      'kms:Decrypt',
      'kms:Decrypt',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'rekognition:CompareFaces',
      'rekognition:DetectFaces',
      'rekognition:GetFaceLivenessSessionResults',
      's3:DeleteObject',
      's3:DeleteObjectVersion',
      's3:GetObject',
      's3:ListBucketVersions',
      'ses:SendEmail',
      'sns:Publish',
      'textract:AnalyzeID',
      'textract:DetectDocumentText',
    ]);
  });

  it('bundles the S3 bridge Lambda with partial batch responses on the events queue', () => {
    service.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'kyc-s3-bridge',
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      VpcConfig: Match.anyValue(),
    });
    service.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
  });
});

it('has no wildcard action in any IAM policy', () => {
  const wildcards: string[] = [];
  for (const template of [data, service, monitoring]) {
    const statements = [
      ...Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
        (p) => p.Properties.PolicyDocument.Statement,
      ),
      ...Object.values(template.findResources('AWS::IAM::Role')).flatMap((role) =>
        (role.Properties.Policies ?? []).flatMap(
          (policy: { PolicyDocument: { Statement: unknown[] } }) => policy.PolicyDocument.Statement,
        ),
      ),
    ] as Array<{ Action: string | string[] }>;
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) if (action.includes('*')) wildcards.push(action);
    }
  }
  expect(wildcards).toEqual([]);
});

it('alarms on every DLQ, the bridge Lambda and the database storage, to the ops topic', () => {
  monitoring.hasResourceProperties('AWS::SNS::Topic', {
    TopicName: 'kyc-ops-alarms',
    KmsMasterKeyId: Match.anyValue(),
  });
  const alarms = Object.values(monitoring.findResources('AWS::CloudWatch::Alarm'));
  expect(alarms.map((alarm) => alarm.Properties.AlarmName).sort()).toEqual([
    'kyc-dlq-decision',
    'kyc-dlq-face-match',
    'kyc-dlq-kyc-raw-events',
    'kyc-dlq-reg-check-ingest',
    'kyc-dlq-reg-request',
    'kyc-rds-free-storage',
    'kyc-s3-bridge-errors',
  ]);
  for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
});

it('passes cdk-nag AwsSolutions, every acknowledgement with its reason in the template', () => {
  const report = new AwsSolutionsChecks().validateScope(synth.app);
  expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  const acknowledged = STACKS.flatMap((stack) =>
    Object.values(templateOf(synth.outdir, stack).Resources).flatMap(
      (resource) =>
        (resource as { Metadata?: { cdk_nag?: { rules_to_suppress: Array<{ id: string; reason: string }> } } }).Metadata
          ?.cdk_nag?.rules_to_suppress ?? [],
    ),
  );
  expect(acknowledged.length).toBeGreaterThan(10);
  for (const rule of acknowledged) expect(rule.reason.length, rule.id).toBeGreaterThan(30);
});

it('passes cfn-lint', () => {
  const cfnLint = locateBinary('cfn-lint') as string;
  const templates = STACKS.map((stack) => join(synth.outdir, `${stack}.template.json`));
  let output = '[]';
  try {
    output = execFileSync(cfnLint, ['--format', 'json', '--', ...templates], { encoding: 'utf8' });
  } catch (error) {
    // cfn-lint exits non-zero for warnings too; the JSON on stdout says which.
    output = (error as { stdout: string }).stdout;
  }
  const findings = JSON.parse(output) as Array<{ Level: string; Rule: { Id: string }; Message: string }>;
  expect(findings.filter((finding) => finding.Level === 'Error')).toEqual([]);
  expect(templateOf(synth.outdir, 'KycData').Resources).toBeDefined();
});
