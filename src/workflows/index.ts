// The workflows the worker registers.
export { KycWorkflow } from './kyc.ts';
