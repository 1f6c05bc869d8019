/** The KYC CDK app: three stacks, checked by cdk-nag's AwsSolutions pack on every synth. */
import { fileURLToPath } from 'node:url';
import { App, type AppProps, DefaultStackSynthesizer, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { KycDataStack } from './data-stack.ts';
import { KycMonitoringStack } from './monitoring-stack.ts';
import { KycServiceStack } from './service-stack.ts';
import { readSettings } from './settings.ts';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

export function buildKycApp(props: AppProps = {}) {
  // Cross-stack references stay strong: CloudFormation refuses to delete an export another stack still reads.
  const app = new App({
    ...props,
    context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong', ...props.context },
  });
  const settings = readSettings(app.node);
  const env = { region: settings.region, ...(settings.account ? { account: settings.account } : {}) };
  // No BootstrapVersion rule: synth (and cfn-lint) need no SSM lookup; `cdk bootstrap` is still needed to deploy.
  const synthesizer = () => new DefaultStackSynthesizer({ generateBootstrapVersionRule: false });
  const data = new KycDataStack(app, 'KycData', { env, settings, synthesizer: synthesizer() });
  const service = new KycServiceStack(app, 'KycService', {
    env,
    settings,
    data,
    repositoryRoot,
    synthesizer: synthesizer(),
  });
  const monitoring = new KycMonitoringStack(app, 'KycMonitoring', {
    env,
    settings,
    data,
    service,
    synthesizer: synthesizer(),
  });
  // The acknowledgements travel into the templates' Metadata (cdk_nag.rules_to_suppress), reasons included.
  // cfn-lint's resource schemas do not (yet) list Tags for these two types.
  Tags.of(app).add('project', 'kyc', {
    excludeResourceTypes: ['AWS::ElasticLoadBalancingV2::Listener', 'AWS::ApplicationAutoScaling::ScalableTarget'],
  });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
  return { app, settings, data, service, monitoring };
}
