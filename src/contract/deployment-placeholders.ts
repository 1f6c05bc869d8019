/**
 * The values the AWS stacks put into a secret's fields until ops set the real ones (README, "Deploying to AWS").
 * Every entry point refuses to start while a setting still holds one, whatever that setting's own checks would accept:
 * a placeholder is long enough to pass for a secret.
 */
export const deploymentPlaceholder = (setting: string) => `set ${setting} before deploying the service stack`;

const PLACEHOLDER = /^set [A-Z0-9_]+ before deploying the service stack$/;

export const isDeploymentPlaceholder = (value: string) => PLACEHOLDER.test(value);
