// The one workflow bundle for the whole test run: the service's workflows plus the harness's own smoke workflows.
export * from '../../src/workflows/index.ts';
export * from '../workflows/rotation.ts';
export * from '../workflows/smoke.ts';
