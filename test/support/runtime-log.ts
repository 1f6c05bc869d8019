/** What the Temporal runtime (workers, workflows' `log`) logged in this test file's process. */
export const runtimeLog: string[] = [];
