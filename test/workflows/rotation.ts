/** A workflow that moves payloads every way there is — input, activities, signals, an update, a query, its result. */
import { condition, defineQuery, defineSignal, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

export interface RotationActivities {
  echo(input: { label: string; round: number }): Promise<{ by: string; label: string }>;
}

export const rotationNote = defineSignal<[{ note: string }]>('rotationNote');
export const rotationUpdate = defineUpdate<{ echoed: string }, [{ note: string }]>('rotationUpdate');
export const rotationState = defineQuery<{ notes: string[]; handledBy: string[] }>('rotationState');

const { echo } = proxyActivities<RotationActivities>({ startToCloseTimeout: '10s' });

/** Each round runs one activity, then waits for a note (a signal or the update) before the next. */
export async function rotationProbe(input: { label: string; rounds: number }) {
  const notes: string[] = [];
  const handledBy: string[] = [];
  setHandler(rotationNote, ({ note }) => {
    notes.push(note);
  });
  setHandler(rotationUpdate, ({ note }) => {
    notes.push(note);
    return { echoed: note };
  });
  setHandler(rotationState, () => ({ notes, handledBy }));
  for (let round = 0; round < input.rounds; round += 1) {
    const result = await echo({ label: input.label, round });
    handledBy.push(result.by);
    await condition(() => notes.length > round);
  }
  return { label: input.label, notes, handledBy };
}
