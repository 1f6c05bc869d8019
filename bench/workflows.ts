// The bench worker's one bundle: the service's workflows and the orchestration floor, run with the same settings.
export * from '../src/workflows/index.ts';
export * from './floor-workflow.ts';
