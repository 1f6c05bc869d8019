/**
 * What a workflow's event history says about its cost and its timing: events, stored bytes, the Actions Temporal
 * Cloud would bill, and when each activity and workflow task was scheduled, started and completed (server
 * timestamps, on the same clock as the driver: everything runs on this machine).
 */
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { tsToMs } from '@temporalio/common/lib/time.js';
import proto, { type temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
// A CommonJS package: its values come through the default export, which Node can always name.
const { EventType } = proto.temporal.api.enums.v1;

/** `EVENT_TYPE_ACTIVITY_TASK_SCHEDULED` → `ActivityTaskScheduled`. */
function eventName(event: HistoryEvent): string {
  const name = EventType[event.eventType ?? 0] ?? 'EVENT_TYPE_UNSPECIFIED';
  return name
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
}

export function eventCounts(history: History): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of history.events ?? []) counts[eventName(event)] = (counts[eventName(event)] ?? 0) + 1;
  return counts;
}

/** The history as the server stores it: protobuf, payloads encrypted. */
export function historyBytes(history: History): number {
  return proto.temporal.api.history.v1.History.encode(history).finish().byteLength;
}

/**
 * The Actions one event is billed as, by kind. A signal-with-start that starts the workflow is one Action in all (its
 * signal is the second event); every other signal is one; each activity attempt is one; timers, search-attribute
 * upserts and markers are one each. Queries and rejected updates leave no event and are not counted here.
 */
function actionsOf(event: HistoryEvent, index: number): [kind: string, count: number] | null {
  switch (event.eventType) {
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
      return ['workflow start', 1];
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
      return index === 1 ? null : ['signal', 1];
    case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
      return ['activity', 1];
    case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
      return ['activity retry', (event.activityTaskStartedEventAttributes?.attempt ?? 1) - 1];
    case EventType.EVENT_TYPE_TIMER_STARTED:
      return ['timer', 1];
    case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
      return ['search-attribute upsert', 1];
    case EventType.EVENT_TYPE_MARKER_RECORDED:
      return ['marker', 1];
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
      return ['update', 1];
    case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
      return ['child workflow', 2];
    default:
      return null;
  }
}

/** Temporal Cloud Actions by kind (https://docs.temporal.io/cloud/actions). */
export function billableActions(history: History): Record<string, number> {
  const actions: Record<string, number> = {};
  for (const [index, event] of (history.events ?? []).entries()) {
    const [kind, count] = actionsOf(event, index) ?? ['', 0];
    if (count > 0) actions[kind] = (actions[kind] ?? 0) + count;
  }
  return actions;
}

export interface TaskTiming {
  scheduledAt: number;
  startedAt: number;
  completedAt: number;
  /** Where the task's completion stands in the history. */
  completedEventId: number;
}

export interface Timeline {
  activities: Array<TaskTiming & { type: string; attempt: number }>;
  workflowTasks: TaskTiming[];
}

/** When every completed activity and workflow task was scheduled, started and completed, epoch ms. */
export function timeline(history: History): Timeline {
  const at = new Map<number, { event: HistoryEvent; time: number }>();
  const result: Timeline = { activities: [], workflowTasks: [] };
  for (const event of history.events ?? []) {
    const time = tsToMs(event.eventTime);
    at.set(Number(event.eventId), { event, time });
    const activity = event.activityTaskCompletedEventAttributes;
    if (activity) {
      const scheduled = at.get(Number(activity.scheduledEventId));
      const started = at.get(Number(activity.startedEventId));
      result.activities.push({
        type: scheduled?.event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?',
        attempt: started?.event.activityTaskStartedEventAttributes?.attempt ?? 1,
        scheduledAt: scheduled?.time ?? Number.NaN,
        startedAt: started?.time ?? Number.NaN,
        completedAt: time,
        completedEventId: Number(event.eventId),
      });
    }
    const workflowTask = event.workflowTaskCompletedEventAttributes;
    if (workflowTask) {
      result.workflowTasks.push({
        scheduledAt: at.get(Number(workflowTask.scheduledEventId))?.time ?? Number.NaN,
        startedAt: at.get(Number(workflowTask.startedEventId))?.time ?? Number.NaN,
        completedAt: time,
        completedEventId: Number(event.eventId),
      });
    }
  }
  return result;
}
