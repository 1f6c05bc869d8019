/**
 * The code: the worker and the HTTP service on ECS Fargate (the HTTP service behind an HTTPS load balancer), the
 * one-off migration task, and the S3 bridge Lambda. Each gets a role with exactly the calls its code makes.
 */
import { join } from 'node:path';
import {
  aws_certificatemanager as acm,
  aws_applicationautoscaling as appscaling,
  CfnOutput,
  aws_cloudwatch as cloudwatch,
  Duration,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_ecs_patterns as ecsPatterns,
  aws_elasticloadbalancingv2 as elbv2,
  aws_lambda_event_sources as eventSources,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_lambda_nodejs as nodejs,
  RemovalPolicy,
  Stack,
  type StackProps,
  aws_s3 as s3,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { BRIDGE_TIMEOUT, DATABASE_PORT, type KycDataStack, OIDC_SETTINGS, SEED_QUEUES } from './data-stack.ts';
import { acknowledge } from './nag.ts';
import { type KycSettings, temporalCredentials } from './settings.ts';

/** A setting read from a field of a secret; `asFile`: the setting names a file holding the value. */
interface SecretField {
  setting: string;
  secret: secretsmanager.ISecret;
  field: string;
  asFile: boolean;
}

/** Where the worker and the HTTP service serve Prometheus metrics (inside the VPC only, not through the ALB). */
export const METRICS_PORT = 9464;
export const HTTP_PORT = 3000;
/** CloudWatch namespace of the task-queue backlog the HTTP service publishes; the worker scales on it. */
export const BACKLOG_NAMESPACE = 'KYC';
export const BACKLOG_METRIC = 'TaskQueueBacklog';

export interface KycServiceStackProps extends StackProps {
  settings: KycSettings;
  data: KycDataStack;
  /** The repository: the Dockerfile and the Lambda's sources and lock file live here. */
  repositoryRoot: string;
}

export class KycServiceStack extends Stack {
  readonly cluster: ecs.Cluster;
  readonly worker: ecs.FargateService;
  readonly http: ecsPatterns.ApplicationLoadBalancedFargateService;
  readonly migrateTask: ecs.FargateTaskDefinition;
  readonly bridge: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: KycServiceStackProps) {
    super(scope, id, props);
    const { settings, data, repositoryRoot } = props;
    const { vpc } = data;
    const appSubnets = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

    // Imported here so that the ingress rules for this stack's security groups live in this stack.
    const databaseSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
      this,
      'DatabaseSecurityGroup',
      data.databaseSecurityGroup.securityGroupId,
    );
    const allowDatabaseFrom = (peer: ec2.ISecurityGroup, who: string) =>
      databaseSecurityGroup.addIngressRule(peer, ec2.Port.tcp(DATABASE_PORT), who);

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: 'kyc',
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const image = ecs.ContainerImage.fromAsset(repositoryRoot);

    // Spelled out rather than read from the bucket, so that the policy (and its cdk-nag finding) names the seed's key.
    const uploadObjects = `arn:${this.partition}:s3:::${settings.bucketName}/${settings.keyPrefix}*`;
    const databaseUrl = `postgres://kyc@${data.database.dbInstanceEndpointAddress}:${data.database.dbInstanceEndpointPort}/kyc?sslmode=require`;
    const temporalEnvironment = {
      TEMPORAL_ADDRESS: settings.temporalAddress,
      TEMPORAL_NAMESPACE: settings.temporalNamespace,
      KYC_TASK_QUEUE: settings.taskQueue,
    };
    // The image's production roles take no defaults (src/config.ts); every required setting is set here or a secret.
    const serviceEnvironment: Record<string, string> = {
      KYC_PROVIDERS: 'aws',
      AWS_REGION: settings.region,
      // The password is not in the URL: PGPASSWORD comes from the database secret.
      DATABASE_URL: databaseUrl,
      ...temporalEnvironment,
      KYC_S3_BUCKET: data.bucket.bucketName,
      KYC_S3_PREFIX: settings.keyPrefix,
      KYC_S3_KMS_KEY_ID: data.uploadsKey.keyArn,
      // Search attributes are registered once by ops (Temporal Cloud allows it only through tcld or the UI).
      KYC_SEARCH_ATTRIBUTES_SETUP: 'false',
      KYC_METRICS_PORT: String(METRICS_PORT),
      // Inside the VPC; no security group lets anything but your Prometheus reach it (add its rule when you run one).
      KYC_METRICS_HOST: '0.0.0.0',
      KYC_CS_BASE_URL: settings.publicBaseUrl,
      LOG_LEVEL: 'info',
    };
    // Referenced by ARN: a grant on the data stack's own objects would write this stack's roles into the data
    // key's policy, and the two stacks would depend on each other. The key is granted below, per role.
    const secretRef = (name: string, secret: secretsmanager.ISecret) =>
      secretsmanager.Secret.fromSecretCompleteArn(this, `${name}Ref`, secret.secretArn);
    const databaseSecret = secretRef('DatabaseSecret', data.databaseSecret);
    const serviceSecret = secretRef('ServiceSecret', data.serviceSecret);
    const payloadKeysSecret = secretRef('PayloadKeysSecret', data.payloadKeysSecret);
    const temporalSecret = secretRef('TemporalSecret', data.temporalSecret);
    const oidcSecret = secretRef('OidcSecret', data.oidcSecret);
    const field = (secret: secretsmanager.ISecret, name: string, setting = name): SecretField => ({
      setting,
      secret,
      field: name,
      asFile: false,
    });
    const databasePassword = [field(databaseSecret, 'password', 'PGPASSWORD')];
    const payloadKeys = [
      field(payloadKeysSecret, 'KYC_PAYLOAD_KEYS_KMS'),
      field(payloadKeysSecret, 'KYC_PAYLOAD_KEY_ID'),
    ];
    const temporalCredentialFields = temporalCredentials(settings).map(
      ({ setting, field: name, asFile }): SecretField => ({ setting, secret: temporalSecret, field: name, asFile }),
    );
    const shared = [...databasePassword, ...payloadKeys, ...temporalCredentialFields];
    const workerSecrets = [
      ...shared,
      ...['KYC_WEBHOOK_SECRET', 'KYC_IDENTITY_HASH_KEY', 'APIFY_TOKEN', 'KYC_PRODUCT_WEBHOOK_SECRET'].map((name) =>
        field(serviceSecret, name),
      ),
    ];
    const httpSecrets = [
      ...shared,
      ...[
        'KYC_SERVICE_TOKENS',
        'KYC_WEBHOOK_SECRET',
        'KYC_IDENTITY_HASH_KEY',
        'KYC_PRODUCT_WEBHOOK_SECRET',
        'KYC_CONSOLE_SESSION_SECRET',
      ].map((name) => field(serviceSecret, name)),
      ...OIDC_SETTINGS.map((name) => field(oidcSecret, name)),
    ];
    /**
     * The image's entry point with its role (src/production.ts). ECS injects secret values, not files: a setting that
     * names a file gets its value under the secret field's name, written to a private file before the role starts.
     */
    const roleContainer = (role: 'api' | 'worker' | 'migrate', fields: SecretField[]) => {
      const secrets = Object.fromEntries(
        fields.map((entry) => [
          entry.asFile ? entry.field : entry.setting,
          ecs.Secret.fromSecretsManager(entry.secret, entry.field),
        ]),
      );
      const files = fields.filter((entry) => entry.asFile);
      if (files.length === 0) return { command: [role], secrets };
      const script = [
        'umask 077',
        'dir=$(mktemp -d)',
        ...files.map(
          ({ setting, field: name }) =>
            `printf '%s' "$${name}" > "$dir/${name}" && export ${setting}="$dir/${name}" && unset ${name}`,
        ),
        `exec node src/production.ts ${role}`,
      ].join('; ');
      return { entryPoint: ['sh', '-c'], command: [script], secrets };
    };
    /** Secrets Manager decrypts the secrets with the data key on the reader's behalf, and only then. */
    const grantSecretKey = (grantee: iam.IGrantable) =>
      grantee.grantPrincipal.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DecryptSecrets',
          actions: ['kms:Decrypt'],
          resources: [data.dataKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${settings.region}.amazonaws.com` } },
        }),
      );
    const logGroup = (name: string) =>
      new logs.LogGroup(this, `${name}Logs`, {
        logGroupName: `/kyc/${name}`,
        retention: logs.RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.RETAIN,
      });

    // --- worker: Textract, Rekognition, reads uploads, publishes decisions, sends mail ---
    const workerTask = new ecs.FargateTaskDefinition(this, 'WorkerTask', {
      family: 'kyc-worker',
      cpu: 1024,
      memoryLimitMiB: 2048,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64 },
    });
    workerTask.addContainer('worker', {
      image,
      ...roleContainer('worker', workerSecrets),
      environment: {
        ...serviceEnvironment,
        KYC_SCHEDULES_SETUP: 'true',
        // The worker's memory settings, measured with `npm run bench -- idle` (bench/results/2026-12-03-idle-*.json):
        // a 512 MiB cap per V8 heap (the main thread's and the workflow sandbox's; uncapped, Node sizes them from the
        // host and the bench worker grew to 4.6 GB), 1 MiB semi-spaces (V8 otherwise commits about 90 MiB of young
        // generation per heap); the image sets MALLOC_ARENA_MAX=2 (Dockerfile). With the workflow cache that
        // KYC_WORKER_MAX_CACHED_WORKFLOWS bounds, they keep an idle worker near 500 MiB resident.
        NODE_OPTIONS: '--max-old-space-size=512 --max-semi-space-size=1',
        KYC_EMAIL_TRANSPORT: 'ses',
        KYC_EMAIL_FROM: settings.emailFrom,
        KYC_CS_EMAIL: settings.csEmail,
        KYC_PRODUCT_SNS_TOPIC_ARN: data.productTopic.topicArn,
        APIFY_WEBHOOK_URL: `${settings.publicBaseUrl}/webhooks/apify`,
      },
      portMappings: [{ containerPort: METRICS_PORT, name: 'metrics' }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'worker', logGroup: logGroup('worker') }),
      stopTimeout: Duration.seconds(60),
    });
    const workerRole = workerTask.taskRole;
    workerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadDocuments',
        actions: ['textract:AnalyzeID', 'textract:DetectDocumentText'],
        resources: ['*'],
      }),
    );
    workerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CompareFaces',
        actions: ['rekognition:CompareFaces', 'rekognition:DetectFaces', 'rekognition:GetFaceLivenessSessionResults'],
        resources: ['*'],
      }),
    );
    workerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadUploads',
        actions: ['s3:GetObject'],
        resources: [uploadObjects],
      }),
    );
    // Erasure and image retention (README, Compliance) delete every version of an upload, found by listing them.
    workerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DeleteUploads',
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [uploadObjects],
      }),
    );
    workerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListUploadVersions',
        actions: ['s3:ListBucketVersions'],
        resources: [`arn:${this.partition}:s3:::${settings.bucketName}`],
        conditions: { StringLike: { 's3:prefix': [`${settings.keyPrefix}*`] } },
      }),
    );
    workerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SendMail',
        actions: ['ses:SendEmail'],
        resources: [
          `arn:${this.partition}:ses:${settings.region}:${this.account}:identity/${data.emailIdentity.emailIdentityName}`,
        ],
      }),
    );
    workerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishDecisions',
        actions: ['sns:Publish'],
        resources: [data.productTopic.topicArn],
      }),
    );
    // The topic's messages are encrypted with the data key; uploads are read with the uploads key.
    data.dataKey.grant(workerRole, 'kms:GenerateDataKey', 'kms:Decrypt');
    data.uploadsKey.grant(workerRole, 'kms:Decrypt');

    const workerSecurityGroup = new ec2.SecurityGroup(this, 'WorkerSecurityGroup', {
      vpc,
      description: 'KYC worker: outbound to Temporal, AWS APIs, Apify and PostgreSQL',
    });
    this.worker = new ecs.FargateService(this, 'Worker', {
      serviceName: 'kyc-worker',
      cluster: this.cluster,
      taskDefinition: workerTask,
      desiredCount: settings.runServices ? settings.workerMinTasks : 0,
      vpcSubnets: appSubnets,
      securityGroups: [workerSecurityGroup],
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
    });
    allowDatabaseFrom(workerSecurityGroup, 'KYC worker');
    const backlog = new cloudwatch.Metric({
      namespace: BACKLOG_NAMESPACE,
      metricName: BACKLOG_METRIC,
      dimensionsMap: { TaskQueue: settings.taskQueue },
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    this.worker
      .autoScaleTaskCount({
        minCapacity: settings.runServices ? settings.workerMinTasks : 0,
        maxCapacity: settings.runServices ? settings.workerMaxTasks : 0,
      })
      .scaleOnMetric('ScaleOnTaskQueueBacklog', {
        metric: backlog,
        adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
        scalingSteps: [
          { upper: 0, change: -1 },
          { lower: settings.backlogPerWorker, change: +1 },
          { lower: settings.backlogPerWorker * 4, change: +3 },
        ],
        cooldown: Duration.minutes(3),
      });

    // --- HTTP service: intake, CS, Apify webhook, codec server; consumes the seed's queues ---
    const httpTask = new ecs.FargateTaskDefinition(this, 'HttpTask', {
      family: 'kyc-http',
      cpu: 512,
      memoryLimitMiB: 1024,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64 },
    });
    const queueSettings = Object.fromEntries(
      SEED_QUEUES.map((name) => [
        `KYC_QUEUE_URL_${name.toUpperCase().replaceAll('-', '_')}`,
        data.queues[name].queue.queueUrl,
      ]),
    );
    const dlqSettings = Object.fromEntries(
      [...SEED_QUEUES.map((name) => data.queues[name].dlq), data.s3Events.dlq].map((dlq) => [
        dlq.node.id,
        dlq.queueUrl,
      ]),
    );
    httpTask.addContainer('http', {
      image,
      ...roleContainer('api', httpSecrets),
      environment: {
        ...serviceEnvironment,
        ...queueSettings,
        KYC_HTTP_HOST: '0.0.0.0',
        KYC_HTTP_PORT: String(HTTP_PORT),
        // The DLQs whose depth /metrics reports, as name=url pairs.
        KYC_METRICS_DLQ_URLS: Object.entries(dlqSettings)
          .map(([name, url]) => `${name}=${url}`)
          .join(','),
        KYC_METRICS_BACKLOG_NAMESPACE: BACKLOG_NAMESPACE,
      },
      portMappings: [
        { containerPort: HTTP_PORT, name: 'http' },
        { containerPort: METRICS_PORT, name: 'metrics' },
      ],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'http', logGroup: logGroup('http') }),
    });
    const httpRole = httpTask.taskRole;
    httpRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StoreUploads',
        actions: ['s3:PutObject'],
        resources: [uploadObjects],
      }),
    );
    httpRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StartLivenessSessions',
        actions: ['rekognition:CreateFaceLivenessSession'],
        resources: ['*'],
      }),
    );
    httpRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ConsumeSeedQueues',
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'],
        resources: SEED_QUEUES.map((name) => data.queues[name].queue.queueArn),
      }),
    );
    httpRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'HandOffRegisterResults',
        actions: ['sqs:SendMessage'],
        resources: [data.queues['reg-check-ingest'].queue.queueArn],
      }),
    );
    httpRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadDeadLetterDepth',
        actions: ['sqs:GetQueueAttributes'],
        resources: [...SEED_QUEUES.map((name) => data.queues[name].dlq.queueArn), data.s3Events.dlq.queueArn],
      }),
    );
    httpRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishBacklog',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': BACKLOG_NAMESPACE } },
      }),
    );
    // Queue messages are encrypted with the data key; new uploads with the uploads key.
    data.dataKey.grant(httpRole, 'kms:Decrypt', 'kms:GenerateDataKey');
    data.uploadsKey.grant(httpRole, 'kms:GenerateDataKey');

    const accessLogs = new s3.Bucket(this, 'LoadBalancerLogs', {
      // ALB access logs can only be delivered to a bucket with S3-managed encryption.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      accessLogs,
      'AwsSolutions-S1',
      'This bucket holds the load balancer access logs; it is not logged itself.',
    );
    this.http = new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Http', {
      serviceName: 'kyc-http',
      loadBalancerName: 'kyc-http',
      cluster: this.cluster,
      taskDefinition: httpTask,
      desiredCount: 2,
      taskSubnets: appSubnets,
      publicLoadBalancer: true,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', settings.certificateArn),
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      redirectHTTP: true,
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
    });
    // The pattern refuses a desired count of 0; the first deploy sets it on the resource itself.
    if (!settings.runServices) (this.http.service.node.defaultChild as ecs.CfnService).desiredCount = 0;
    this.http.loadBalancer.logAccessLogs(accessLogs, 'kyc-http');
    this.http.loadBalancer.setAttribute('routing.http.drop_invalid_header_fields.enabled', 'true');
    this.http.targetGroup.configureHealthCheck({ path: '/healthz', healthyHttpCodes: '200' });
    for (const connections of this.http.service.connections.securityGroups) {
      allowDatabaseFrom(connections, 'KYC HTTP service');
    }
    acknowledge(
      this.http.loadBalancer,
      'AwsSolutions-EC23',
      'The public HTTPS endpoint of the intake and CS API; port 80 only redirects to 443.',
    );

    // --- migrations: a one-off task, run before each deployment of new code ---
    this.migrateTask = new ecs.FargateTaskDefinition(this, 'MigrateTask', {
      family: 'kyc-migrate',
      cpu: 256,
      memoryLimitMiB: 512,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64 },
    });
    this.migrateTask.addContainer('migrate', {
      image,
      // dbmate reads PGPASSWORD.
      ...roleContainer('migrate', databasePassword),
      environment: { DATABASE_URL: databaseUrl },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'migrate', logGroup: logGroup('migrate') }),
    });
    const migrateSecurityGroup = new ec2.SecurityGroup(this, 'MigrateSecurityGroup', {
      vpc,
      description: 'KYC migrations: outbound to PostgreSQL and ECR',
    });
    allowDatabaseFrom(migrateSecurityGroup, 'KYC migrations');

    // --- S3 bridge: ObjectCreated → signal-with-start, as a Lambda on the events queue ---
    const bridgeSecurityGroup = new ec2.SecurityGroup(this, 'BridgeSecurityGroup', {
      vpc,
      description: 'KYC S3 bridge Lambda: outbound to Temporal and PostgreSQL',
    });
    allowDatabaseFrom(bridgeSecurityGroup, 'KYC S3 bridge');
    // Lambda cannot inject secrets into its environment; the handler resolves these at cold start.
    this.bridge = new nodejs.NodejsFunction(this, 'S3Bridge', {
      functionName: 'kyc-s3-bridge',
      description: 'S3 ObjectCreated on kyc-raw → documentUploaded signal-with-start',
      entry: join(repositoryRoot, 'src/starters/s3-bridge-lambda.ts'),
      handler: 'handler',
      projectRoot: repositoryRoot,
      depsLockFilePath: join(repositoryRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: BRIDGE_TIMEOUT,
      vpc,
      vpcSubnets: appSubnets,
      securityGroups: [bridgeSecurityGroup],
      logGroup: new logs.LogGroup(this, 'S3BridgeLogs', {
        logGroupName: '/kyc/s3-bridge',
        retention: logs.RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.RETAIN,
      }),
      environment: {
        DATABASE_URL: databaseUrl,
        ...temporalEnvironment,
        KYC_S3_BUCKET: data.bucket.bucketName,
        KYC_S3_PREFIX: settings.keyPrefix,
        KYC_SECRET_ENV: shared
          .map(
            ({ setting, secret, field: name, asFile }) =>
              `${setting}=${asFile ? 'file:' : ''}${secret.secretArn}#${name}`,
          )
          .join(','),
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        // Local esbuild from node_modules: synth needs no Docker and no network.
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        // Everything is bundled, the AWS SDK too, so the function runs the versions the tests ran.
        externalModules: [],
        sourceMap: true,
        // Bundled CommonJS dependencies call require(); ESM output has none unless it is made.
        banner:
          "import { createRequire as kycCreateRequire } from 'node:module'; const require = kycCreateRequire(import.meta.url);",
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // The Temporal client require()s the failure converter by path (src/data-protection/data-converter.ts):
          // next to index.mjs, under the same name, bundled as CommonJS (plain JavaScript is valid TypeScript).
          afterBundling: (inputDir, outputDir) => [
            `"${inputDir}/node_modules/.bin/esbuild" "${inputDir}/src/data-protection/failure-converter.ts" --bundle --platform=node --format=cjs --target=node24 --log-level=warning --outfile="${outputDir}/failure-converter.ts"`,
          ],
        },
      },
    });
    this.bridge.addEventSource(
      new eventSources.SqsEventSource(data.s3Events.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );
    for (const secret of new Set(shared.map((entry) => entry.secret))) secret.grantRead(this.bridge);
    data.payloadCodecKey.grantDecrypt(this.bridge);
    for (const policy of ['AWSLambdaBasicExecutionRole', 'AWSLambdaVPCAccessExecutionRole']) {
      acknowledge(
        this.bridge,
        `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${policy}]`,
        "AWS's Lambda execution policies: write to the function's own log group and manage its VPC network interfaces.",
      );
    }

    for (const role of [workerRole, httpRole]) data.payloadCodecKey.grantDecrypt(role);
    grantSecretKey(this.bridge);
    for (const task of [workerTask, httpTask, this.migrateTask]) grantSecretKey(task.obtainExecutionRole());

    new CfnOutput(this, 'MigrateCommand', {
      description: 'Run the migrations (before deploying new code)',
      value: [
        'aws ecs run-task --cluster kyc --launch-type FARGATE --task-definition kyc-migrate',
        `--network-configuration 'awsvpcConfiguration={subnets=[${vpc
          .selectSubnets(appSubnets)
          .subnetIds.join(',')}],securityGroups=[${migrateSecurityGroup.securityGroupId}],assignPublicIp=DISABLED}'`,
      ].join(' '),
    });
    new CfnOutput(this, 'HttpUrl', { value: settings.publicBaseUrl });
    new CfnOutput(this, 'LoadBalancerDnsName', { value: this.http.loadBalancer.loadBalancerDnsName });

    this.suppressNagFindingsOfTasks([workerTask, httpTask, this.migrateTask]);
    acknowledge(
      workerRole,
      'AwsSolutions-IAM5[Resource::*]',
      'Textract AnalyzeID/DetectDocumentText and Rekognition CompareFaces/DetectFaces/GetFaceLivenessSessionResults ' +
        'have no resource-level permissions (Service Authorization Reference); the actions are listed one by one.',
    );
    acknowledge(
      httpRole,
      'AwsSolutions-IAM5[Resource::*]',
      'rekognition:CreateFaceLivenessSession has no resource-level permissions; cloudwatch:PutMetricData is limited ' +
        'by a condition to the KYC namespace.',
    );
    for (const role of [workerRole, httpRole]) {
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${settings.bucketName}/${settings.keyPrefix}*]`,
        'Objects under the seed upload prefix only; each upload has a key of its own, unknown in advance.',
      );
    }
  }

  private suppressNagFindingsOfTasks(tasks: ecs.FargateTaskDefinition[]) {
    for (const task of tasks) {
      acknowledge(
        task.obtainExecutionRole(),
        'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken has no resource scope; the image pull itself is limited to the asset repository.',
      );
      acknowledge(
        task,
        'AwsSolutions-ECS2',
        'The environment holds settings only (URLs, names, ARNs); every secret comes from Secrets Manager.',
      );
    }
  }
}
