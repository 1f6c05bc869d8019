// The workflows the worker registers.

export { ErasureWorkflow, ImageRetentionWorkflow } from './erasure.ts';
export { ExpiryReminderWorkflow } from './expiry.ts';
export { KycWorkflow } from './kyc.ts';
export { RegisterMonitorWorkflow, RegisterSweepWorkflow } from './monitor.ts';
