/**
 * Tasks (`task` table; reference 5.1).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { TaskState, UserType } from "./Enums.js"
import { ChannelId, HostId, TaskId, UserId } from "./Ids.js"
import { Epoch, Timestamp } from "./Timestamp.js"

const fields = {
  id: TaskId,
  state: TaskState.schema,
  create_time: Timestamp,
  create_ts: Epoch,
  start_time: Schema.NullOr(Timestamp),
  start_ts: Schema.NullOr(Epoch),
  completion_time: Schema.NullOr(Timestamp),
  completion_ts: Schema.NullOr(Epoch),
  channel_id: ChannelId,
  host_id: Schema.NullOr(HostId),
  parent: Schema.NullOr(TaskId),
  label: Schema.NullOr(Schema.String),
  waiting: Schema.NullOr(Schema.Boolean),
  awaited: Schema.NullOr(Schema.Boolean),
  owner: UserId,
  method: Schema.String,
  arch: Schema.String,
  priority: Schema.Int,
  weight: Schema.Number.pipe(Schema.nonNegative()),
  /**
   * The task's arguments: the decoded arglist (`getTaskInfo(id, request=True)`), or the raw
   * XML-RPC `methodCall` document (`host.openTask`, `listTasks` without `decode`).
   */
  request: Schema.optional(Schema.Union(Schema.Array(Schema.Unknown), Schema.String)),
  /**
   * The handler's return value: the raw XML-RPC `methodResponse` (or fault) document, or its
   * decoded value when asked; `null` until the task ends.
   */
  result: Schema.optional(Schema.Unknown),
  /** Why a FREE task is not running yet (`getTaskInfo(..., explain=True)`; koji-ts). */
  why: Schema.optional(Schema.Array(Schema.String))
}

/**
 * A task as `getTaskInfo` (and `getTaskChildren`, `host.openTask`) return it. Lower `priority` is
 * more urgent; `request` is present only when asked for.
 *
 * @since 0.1.0
 * @category models
 */
export class Task extends Schema.Class<Task>("Task")(fields) {}

/**
 * A task as `listTasks` returns it: with `request`, `result` and the owner's name and type.
 *
 * @since 0.1.0
 * @category models
 */
export class TaskListEntry extends Schema.Class<TaskListEntry>("TaskListEntry")({
  ...fields,
  owner_name: Schema.String,
  owner_type: UserType.schema
}) {}
