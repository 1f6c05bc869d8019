/**
 * What outlives a deployment of the code: the network, the keys, the seed's bucket and queues, the database, the
 * product topic, the SES identity and the secrets. Deployed first; the service stack reads all of it.
 */

import {
  Duration,
  aws_ec2 as ec2,
  aws_kms as kms,
  aws_logs as logs,
  RemovalPolicy,
  aws_rds as rds,
  SecretValue,
  Stack,
  type StackProps,
  aws_s3 as s3,
  aws_s3_notifications as s3n,
  aws_secretsmanager as secretsmanager,
  aws_ses as ses,
  aws_sns as sns,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { deploymentPlaceholder } from '../../src/contract/deployment-placeholders.ts';
import { acknowledge } from './nag.ts';
import { type KycSettings, temporalCredentials } from './settings.ts';

/** The seed's queues, consumed by the service, each with a dead-letter queue named `<name>-dlq`. */
export const SEED_QUEUES = ['face-match', 'reg-request', 'reg-check-ingest', 'decision'] as const;
export type SeedQueue = (typeof SEED_QUEUES)[number];
/** S3 ObjectCreated notifications for the bridge Lambda. */
export const S3_EVENTS_QUEUE = 'kyc-raw-events';
export const DATABASE_PORT = 5432;
/**
 * The `kyc/oidc` secret's fields, all read by the API task: the issuer its access tokens are checked against, and the
 * CS console's client at the same provider (authorization code with PKCE; README, "CS review console").
 */
export const OIDC_SETTINGS = [
  'KYC_OIDC_ISSUER',
  'KYC_OIDC_AUDIENCE',
  'KYC_OIDC_JWKS_URL',
  'KYC_OIDC_CLIENT_ID',
  'KYC_OIDC_CLIENT_SECRET',
  'KYC_OIDC_AUTHORIZATION_URL',
  'KYC_OIDC_TOKEN_URL',
];
/** A message is tried this many times before it moves to its DLQ. */
export const MAX_RECEIVE_COUNT = 5;
/** The bridge Lambda's timeout; the events queue's visibility timeout is six times it, as AWS advises. */
export const BRIDGE_TIMEOUT = Duration.seconds(30);

export interface QueuePair {
  queue: sqs.Queue;
  dlq: sqs.Queue;
}

export interface KycDataStackProps extends StackProps {
  settings: KycSettings;
}

export class KycDataStack extends Stack {
  readonly vpc: ec2.Vpc;
  readonly dataKey: kms.Key;
  /** The uploads bucket's own key: the images are the most sensitive data here, and only their readers get it. */
  readonly uploadsKey: kms.Key;
  readonly payloadCodecKey: kms.Key;
  readonly bucket: s3.Bucket;
  readonly s3Events: QueuePair;
  readonly queues: Record<SeedQueue, QueuePair>;
  readonly productTopic: sns.Topic;
  readonly emailIdentity: ses.EmailIdentity;
  readonly database: rds.DatabaseInstance;
  readonly databaseSecurityGroup: ec2.SecurityGroup;
  readonly databaseSecret: secretsmanager.ISecret;
  /** KYC_SERVICE_TOKENS, KYC_WEBHOOK_SECRET, KYC_PRODUCT_WEBHOOK_SECRET, APIFY_TOKEN, KYC_IDENTITY_HASH_KEY. */
  readonly serviceSecret: secretsmanager.Secret;
  /** KYC_PAYLOAD_KEYS_KMS (payload data keys encrypted under payloadCodecKey) and KYC_PAYLOAD_KEY_ID. */
  readonly payloadKeysSecret: secretsmanager.Secret;
  /** Sign-in settings of the CS and ops users. */
  readonly oidcSecret: secretsmanager.Secret;
  /** Temporal Cloud's API key or mTLS client certificate. */
  readonly temporalSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: KycDataStackProps) {
    super(scope, id, props);
    const { settings } = props;

    const flowLogs = new logs.LogGroup(this, 'VpcFlowLogs', { retention: logs.RetentionDays.ONE_YEAR });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      // Named, not looked up: synth needs no AWS credentials.
      availabilityZones: [`${settings.region}a`, `${settings.region}b`],
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs) } },
    });

    this.dataKey = new kms.Key(this, 'DataKey', {
      alias: 'alias/kyc-data',
      description: 'KYC: queues, topic, database and secrets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.uploadsKey = new kms.Key(this, 'UploadsKey', {
      alias: 'alias/kyc-uploads',
      description: 'KYC: ID document images and selfies in the uploads bucket',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.payloadCodecKey = new kms.Key(this, 'PayloadCodecKey', {
      alias: 'alias/kyc-payload-codec',
      description: 'KYC: encrypts the data keys of the Temporal payload codec (KYC_PAYLOAD_KEYS_KMS)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const accessLogs = new s3.Bucket(this, 'UploadAccessLogs', {
      // S3 server access logs can only be delivered to a bucket with S3-managed encryption.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(settings.retentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(accessLogs, 'AwsSolutions-S1', 'The access-log bucket of kyc-raw; logging it into itself would loop.');

    this.bucket = new s3.Bucket(this, 'Uploads', {
      bucketName: settings.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.uploadsKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: `${settings.bucketName}/`,
      lifecycleRules: [
        {
          id: 'retention',
          prefix: settings.keyPrefix,
          expiration: Duration.days(settings.retentionDays),
          // A deleted or replaced image must not linger as an old version.
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const queuePair = (name: string, visibilityTimeout: Duration): QueuePair => {
      const dlq = new sqs.Queue(this, `${name}-dlq`, {
        queueName: `${name}-dlq`,
        encryptionMasterKey: this.dataKey,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledge(dlq, 'AwsSolutions-SQS3', 'This queue is itself a dead-letter queue.');
      const queue = new sqs.Queue(this, name, {
        queueName: name,
        encryptionMasterKey: this.dataKey,
        enforceSSL: true,
        visibilityTimeout,
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: dlq, maxReceiveCount: MAX_RECEIVE_COUNT },
      });
      return { queue, dlq };
    };
    this.s3Events = queuePair(S3_EVENTS_QUEUE, Duration.seconds(BRIDGE_TIMEOUT.toSeconds() * 6));
    this.queues = Object.fromEntries(
      SEED_QUEUES.map((name) => [name, queuePair(name, Duration.seconds(60))]),
    ) as Record<SeedQueue, QueuePair>;
    this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.s3Events.queue), {
      prefix: settings.keyPrefix,
    });

    this.productTopic = new sns.Topic(this, 'ProductTopic', {
      topicName: 'kyc-decisions',
      masterKey: this.dataKey,
      enforceSSL: true,
    });

    this.emailIdentity = new ses.EmailIdentity(this, 'EmailIdentity', {
      identity: settings.sesIdentity.includes('@')
        ? ses.Identity.email(settings.sesIdentity)
        : ses.Identity.domain(settings.sesIdentity),
    });

    this.databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: this.vpc,
      description: 'KYC PostgreSQL: reachable only from the service security groups',
      allowAllOutbound: false,
    });
    this.database = new rds.DatabaseInstance(this, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_9 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.databaseSecurityGroup],
      databaseName: 'kyc',
      port: DATABASE_PORT,
      credentials: rds.Credentials.fromGeneratedSecret('kyc', {
        secretName: 'kyc/database',
        encryptionKey: this.dataKey,
        // The password travels as PGPASSWORD; these characters would need quoting in a shell or a URL.
        excludeCharacters: ' %+~`#$&*()|[]{}:;<>?!\'/@"\\=,',
      }),
      storageEncrypted: true,
      storageEncryptionKey: this.dataKey,
      allocatedStorage: 50,
      maxAllocatedStorage: 200,
      multiAz: true,
      iamAuthentication: true,
      deletionProtection: true,
      backupRetention: Duration.days(14),
      cloudwatchLogsExports: ['postgresql'],
      cloudwatchLogsRetention: logs.RetentionDays.ONE_YEAR,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.dataKey,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    this.databaseSecret = this.database.secret as secretsmanager.ISecret;
    // CDK's own custom-resource handlers (bucket notifications, log retention) run with AWS's basic Lambda policy.
    for (const handler of this.node.children.filter((child) =>
      /^(BucketNotificationsHandler|LogRetention)/.test(child.node.id),
    )) {
      acknowledge(
        handler,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "CDK's custom-resource handler writes only its own logs with AWS's basic execution policy.",
      );
      acknowledge(
        handler,
        'AwsSolutions-IAM5[Resource::*]',
        "CDK's log-retention handler sets retention on log groups it is told about at deploy time, by name.",
      );
    }
    acknowledge(
      this.database,
      'AwsSolutions-RDS11',
      'The port is not a secret; the database sits in isolated subnets behind a security group.',
    );

    const placeholderSecret = (id: string, secretName: string, fields: string[], description: string) => {
      const secret = new secretsmanager.Secret(this, id, {
        secretName,
        description,
        encryptionKey: this.dataKey,
        // Placeholders, not secrets: every entry point refuses to start while a setting holds one
        // (src/config.ts), so nothing starts until ops set the real values.
        secretObjectValue: Object.fromEntries(
          fields.map((field) => [field, SecretValue.unsafePlainText(deploymentPlaceholder(field))]),
        ),
        removalPolicy: RemovalPolicy.RETAIN,
      });
      return secret;
    };
    this.serviceSecret = placeholderSecret(
      'ServiceSecret',
      'kyc/service',
      [
        'KYC_SERVICE_TOKENS',
        'KYC_WEBHOOK_SECRET',
        'KYC_PRODUCT_WEBHOOK_SECRET',
        'APIFY_TOKEN',
        'KYC_IDENTITY_HASH_KEY',
        'KYC_CONSOLE_SESSION_SECRET',
      ],
      'KYC: service token digests, Apify webhook secret, product webhook secret, Apify token, identity hash key',
    );
    this.payloadKeysSecret = placeholderSecret(
      'PayloadKeysSecret',
      'kyc/payload-keys',
      ['KYC_PAYLOAD_KEYS_KMS', 'KYC_PAYLOAD_KEY_ID'],
      'KYC: payload data keys, each encrypted under alias/kyc-payload-codec',
    );
    this.oidcSecret = placeholderSecret(
      'OidcSecret',
      'kyc/oidc',
      OIDC_SETTINGS,
      'KYC: OpenID Connect sign-in of CS and ops users: the API checks their tokens, the CS console signs them in',
    );
    this.temporalSecret = placeholderSecret(
      'TemporalSecret',
      'kyc/temporal',
      temporalCredentials(settings).length > 0 ? temporalCredentials(settings).map(({ field }) => field) : ['UNUSED'],
      'KYC: Temporal Cloud API key or mTLS client certificate',
    );
    for (const secret of [this.serviceSecret, this.payloadKeysSecret, this.oidcSecret, this.temporalSecret]) {
      acknowledge(
        secret,
        'AwsSolutions-SMG4',
        'Issued by outside parties (Apify, the product, the identity provider, Temporal Cloud) or rotated by the ' +
          "README's key-rotation procedure, which keeps old and new values valid together; a rotation Lambda cannot.",
      );
    }
    acknowledge(
      this.database.node.findChild('Secret'),
      'AwsSolutions-SMG4',
      'The tasks read the password once at start; automatic rotation would cut them off. Rotated by the ' +
        "README's procedure (rotate, then force a new deployment of the services).",
    );
  }
}
