/**
 * What a workflow's event history says about its cost and its timing: events, stored bytes, the Actions Temporal
 * Cloud would bill, and when each activity and workflow task was scheduled, started and completed (server
 * timestamps, on the same clock as the driver: everything runs on this machine).
 */
import type { History } from '@temporalio/common/lib/proto-utils.js';
import proto, { type temporal } from '@temporalio/proto';
import { HEARTBEAT_EVERY_MS } from '../src/activities/heartbeat.ts';
import { sum } from './stats.ts';

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
 * Temporal Cloud's rules (https://docs.temporal.io/cloud/actions), as far as a history shows them. A workflow start is
 * one Action, and a signal-with-start that starts the workflow is one in all (its signal is the second event); every
 * other signal is one. Each activity attempt is one (the first when scheduled, each retry on the attempt it ran); each
 * local-activity retry is one, as the workflow task's metering reports it. A timer is one. A search-attribute upsert is
 * one, except the SDK's `TemporalChangeVersion` upsert that goes with a `patched()` marker, and attributes given at the
 * start, which cost nothing. Markers (patch markers, local activities) are one per workflow task that records any. An
 * accepted update is one; a child workflow two.
 *
 * Not in a history, so counted by the caller: queries (each one, answered by the worker), rejected updates, and
 * activity heartbeats that reach the server (see `heartbeatsSent`).
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
    case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
      return [
        'local activity retry',
        event.workflowTaskCompletedEventAttributes?.meteringMetadata?.nonfirstLocalActivityExecutionAttempts ?? 0,
      ];
    case EventType.EVENT_TYPE_TIMER_STARTED:
      return ['timer', 1];
    case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
      const fields = Object.keys(
        event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {},
      );
      return fields.every((field) => field === CHANGE_VERSION) ? null : ['search-attribute upsert', 1];
    }
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
      return ['update', 1];
    case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
      return ['child workflow', 2];
    default:
      return null;
  }
}

/** The search attribute the SDK upserts with each `patched()` marker; Temporal Cloud does not bill it. */
const CHANGE_VERSION = 'TemporalChangeVersion';

/** Temporal Cloud Actions by kind, as far as the history shows them (`actionsOf`). */
export function billableActions(history: History): Record<string, number> {
  const actions: Record<string, number> = {};
  const add = (kind: string, count: number) => {
    if (count > 0) actions[kind] = (actions[kind] ?? 0) + count;
  };
  const tasksWithMarkers = new Set<string>();
  for (const [index, event] of (history.events ?? []).entries()) {
    const [kind, count] = actionsOf(event, index) ?? ['', 0];
    add(kind, count);
    const marker = event.markerRecordedEventAttributes;
    if (marker) tasksWithMarkers.add(String(marker.workflowTaskCompletedEventId));
  }
  add('markers', tasksWithMarkers.size);
  add('activity heartbeat', sum(timeline(history).activities.map(heartbeatsSent)));
  return actions;
}

/**
 * The heartbeats an activity attempt sent to the server, which Temporal Cloud bills and the history does not show:
 * activities heartbeat every HEARTBEAT_EVERY_MS from HEARTBEAT_EVERY_MS on (src/activities/heartbeat.ts), and the SDK
 * sends the first at once and then at most one per 80 % of the heartbeat timeout. An estimate from the attempt's run
 * time: an attempt shorter than HEARTBEAT_EVERY_MS sent none.
 */
export function heartbeatsSent(activity: { startedAt: number; completedAt: number; heartbeatTimeoutMs: number }) {
  const running = activity.completedAt - activity.startedAt;
  if (!(running >= HEARTBEAT_EVERY_MS) || activity.heartbeatTimeoutMs <= 0) return 0;
  const throttle = Math.max(activity.heartbeatTimeoutMs * 0.8, HEARTBEAT_EVERY_MS);
  return 1 + Math.floor((running - HEARTBEAT_EVERY_MS) / throttle);
}

export interface TaskTiming {
  scheduledAt: number;
  startedAt: number;
  completedAt: number;
  /** Where the task's completion stands in the history. */
  completedEventId: number;
}

export interface Timeline {
  activities: Array<TaskTiming & { type: string; attempt: number; heartbeatTimeoutMs: number }>;
  /**
   * Local activities, from their markers: `completedAt` is when the marker was recorded (after the activity returned),
   * `completedEventId` the workflow task that recorded it.
   */
  localActivities: Array<{ type: string; attempt: number; completedAt: number; completedEventId: number }>;
  workflowTasks: TaskTiming[];
}

/** The SDK's marker for a local activity, whose `data` is its own JSON (never encrypted: no user data in it). */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

function localActivityOf(event: HistoryEvent, time: number): Timeline['localActivities'][number] | null {
  const marker = event.markerRecordedEventAttributes;
  const data = marker?.details?.data?.payloads?.[0]?.data;
  if (marker?.markerName !== LOCAL_ACTIVITY_MARKER || !data) return null;
  const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string; attempt?: number };
  return {
    type: parsed.activity_type ?? '?',
    attempt: parsed.attempt ?? 1,
    completedAt: time,
    completedEventId: Number(marker.workflowTaskCompletedEventId),
  };
}

/**
 * A protobuf Timestamp or Duration in ms. A history fetched from the server carries its seconds as a Long; one read
 * back from a JSON fixture (historyFromJSON) as a plain number, which the SDK's tsToMs does not take.
 */
function protoMs(value: { seconds?: { toNumber(): number } | number | string | null; nanos?: number | null }) {
  const { seconds, nanos } = value;
  const wholeSeconds = typeof seconds === 'object' && seconds !== null ? seconds.toNumber() : Number(seconds ?? 0);
  return wholeSeconds * 1000 + Math.floor((nanos ?? 0) / 1e6);
}

/** When every completed activity and workflow task was scheduled, started and completed, epoch ms; local activities. */
export function timeline(history: History): Timeline {
  const at = new Map<number, { event: HistoryEvent; time: number }>();
  const result: Timeline = { activities: [], localActivities: [], workflowTasks: [] };
  for (const event of history.events ?? []) {
    const time = protoMs(event.eventTime ?? {});
    at.set(Number(event.eventId), { event, time });
    const activity = event.activityTaskCompletedEventAttributes;
    if (activity) {
      const scheduled = at.get(Number(activity.scheduledEventId));
      const started = at.get(Number(activity.startedEventId));
      result.activities.push({
        type: scheduled?.event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?',
        attempt: started?.event.activityTaskStartedEventAttributes?.attempt ?? 1,
        heartbeatTimeoutMs: protoMs(scheduled?.event.activityTaskScheduledEventAttributes?.heartbeatTimeout ?? {}),
        scheduledAt: scheduled?.time ?? Number.NaN,
        startedAt: started?.time ?? Number.NaN,
        completedAt: time,
        completedEventId: Number(event.eventId),
      });
    }
    const localActivity = localActivityOf(event, time);
    if (localActivity) result.localActivities.push(localActivity);
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
