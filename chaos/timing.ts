/** The chaos run's waiting, every wait bounded. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `done` holds, every `everyMs`, for at most `forMs`; false if it never did. A throw counts as not yet. */
export async function waitFor(done: () => Promise<boolean>, forMs: number, everyMs = 1_000): Promise<boolean> {
  const deadline = Date.now() + forMs;
  while (Date.now() < deadline) {
    if (await done().catch(() => false)) return true;
    await sleep(everyMs);
  }
  return false;
}
