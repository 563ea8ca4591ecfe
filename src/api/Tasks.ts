/**
 * Tasks area of the hub API (reference 5): making, reading, listing, cancelling
 * and steering tasks; and the scheduler's calls (reference 6), with
 * `scheduler.explain` (a koji-ts addition).
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { TaskId } from "../domain/Ids.js"
import { Task, TaskListEntry } from "../domain/Task.js"
import { HostInfo } from "./Hosts.js"
import * as Method from "./Method.js"
import { QueryOpts } from "./Users.js"

/**
 * A task's arguments.
 *
 * @since 0.1.0
 * @category models
 */
export const Arglist = Schema.Array(Schema.Unknown)

/**
 * Koji's `listTasks` opts: `state`, `owner`, `host_id`, `channel_id`, `parent`
 * (each also as `not_<name>`), `method`, `arch`, `decode`, and the
 * created/started/complete Before/After times.
 *
 * @since 0.1.0
 * @category models
 */
export const TaskListOpts = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * A stored fault, as `getTaskResult(raise_fault=False)` answers it.
 *
 * @since 0.1.0
 * @category models
 */
export const FaultStruct = Schema.Struct({ faultCode: Schema.Int, faultString: Schema.String })

/**
 * A channel named by id or name.
 *
 * @since 0.1.0
 * @category models
 */
const ChannelRef = Schema.Union(Schema.Int, Schema.String)

/**
 * @since 0.1.0
 * @category methods
 */
export const makeTask = Method.make("makeTask", {
  params: {
    method: Schema.String,
    arglist: Arglist,
    parent: Method.keyword(Schema.NullOr(Schema.Int), null),
    label: Method.keyword(Schema.NullOr(Schema.String), null),
    channel: Method.keyword(Schema.NullOr(ChannelRef), null),
    arch: Method.keyword(Schema.NullOr(Schema.String), null),
    priority: Method.keyword(Schema.NullOr(Schema.Int), null),
    assign: Method.keyword(Schema.NullOr(HostInfo), null)
  },
  varkw: "opts",
  success: TaskId,
  access: { perm: "admin" },
  doc: "Create an arbitrary task: make_task(method, arglist, **taskopts); the \"owner\" opt is forbidden"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getTaskInfo = Method.make("getTaskInfo", {
  params: {
    task_id: Schema.Union(Schema.Int, Schema.Array(Schema.Int)),
    request: Method.optional(Schema.Boolean, false),
    strict: Method.optional(Schema.Boolean, false),
    explain: Method.keyword(Schema.Boolean, false)
  },
  success: Schema.Union(Schema.NullOr(Task), Schema.Array(Schema.NullOr(Task))),
  readOnly: true,
  access: "anon",
  doc: "Task row(s) (with the decoded request when asked; explain=True adds `why` for a task not running yet); "
    + "accepts a list of ids"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getTaskChildren = Method.make("getTaskChildren", {
  params: {
    task_id: Schema.Int,
    request: Method.optional(Schema.Boolean, false),
    strict: Method.optional(Schema.Boolean, false)
  },
  success: Schema.Array(Task),
  readOnly: true,
  access: "anon",
  doc: "Direct child tasks (optionally with decoded request)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getTaskDescendents = Method.make("getTaskDescendents", {
  params: {
    task_id: Schema.Int,
    request: Method.optional(Schema.Boolean, false)
  },
  success: Schema.Record({ key: Schema.String, value: Schema.Array(Task) }),
  readOnly: true,
  access: "anon",
  doc: "Map \"task_id\" (string) -> list of child task infos, for the whole tree"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listTasks = Method.make("listTasks", {
  params: {
    opts: Method.optional(Schema.NullOr(TaskListOpts), null),
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null)
  },
  success: Schema.Union(Schema.Array(TaskListEntry), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "Query tasks by opts {arch,state,owner,host_id,channel_id,parent (+not_*),method,decode,created/started/"
    + "complete Before/After}; queryOpts order/limit/offset/countOnly"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getTaskResult = Method.make("getTaskResult", {
  params: {
    taskId: Schema.Int,
    raise_fault: Method.optional(Schema.Boolean, true)
  },
  success: Schema.Unknown,
  readOnly: true,
  access: "anon",
  doc: "The decoded result; a failed task raises its stored fault (or returns it with raise_fault=False)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const taskFinished = Method.make("taskFinished", {
  params: { taskId: Schema.Int },
  success: Schema.Boolean,
  readOnly: true,
  access: "anon",
  doc: "True if the task is CLOSED, CANCELED or FAILED"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const cancelTask = Method.make("cancelTask", {
  params: {
    task_id: Schema.Int,
    recurse: Method.optional(Schema.Boolean, true)
  },
  success: Schema.NullOr(Schema.Boolean),
  access: "login",
  doc: "Cancel a task (and by default its children) and any BUILDING build of it (owner, its host, or admin)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const cancelTaskFull = Method.make("cancelTaskFull", {
  params: {
    task_id: Schema.Int,
    strict: Method.optional(Schema.Boolean, true)
  },
  access: { perm: "admin" },
  doc: "Cancel a top-level task and every descendant (strict=False walks up to the root first)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const cancelTaskChildren = Method.make("cancelTaskChildren", {
  params: { task_id: Schema.Int },
  access: "login",
  doc: "Cancel all children of a task but not the task itself (owner, its host, or admin)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const resubmitTask = Method.make("resubmitTask", {
  params: { taskID: Schema.Int },
  success: TaskId,
  access: "login",
  doc: "Clone a FAILED/CANCELED top-level task (same method, args, arch, channel, priority); returns the new id"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const setTaskPriority = Method.make("setTaskPriority", {
  params: {
    task_id: Schema.Int,
    priority: Schema.Int,
    recurse: Method.optional(Schema.Boolean, true)
  },
  access: { perm: "admin" },
  doc: "Set an absolute priority on an unfinished task (and its descendants with recurse)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const freeTask = Method.make("freeTask", {
  params: { task_id: Schema.Int },
  access: { perm: "admin" },
  doc: "Set a task back to FREE (no host); not allowed for finished tasks"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const assignTask = Method.make("assignTask", {
  params: {
    task_id: Schema.Int,
    host: HostInfo,
    force: Method.optional(Schema.Boolean, false),
    override: Method.optional(Schema.Boolean, false)
  },
  success: Schema.Boolean,
  access: { perm: "admin" },
  doc: "Assign a task to a host (force: also a task that is not FREE; override: the scheduler never reassigns it)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const restartHosts = Method.make("restartHosts", {
  params: {
    priority: Method.optional(Schema.Int, 5),
    options: Method.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })), null)
  },
  success: TaskId,
  access: { perm: "host" },
  doc: "Restart the builders gracefully (a restartHosts task; options: channel, arches, timeout)"
})

/**
 * A row of `scheduler.getTaskRuns`.
 *
 * @since 0.1.0
 * @category models
 */
export const TaskRun = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * Koji's QueryView clauses: `[[field, op, value], ...]`, or `[field, value]` (op `=`, or `IN` for a list).
 *
 * @since 0.1.0
 * @category models
 */
export const Clauses = Schema.Array(Schema.Union(
  Schema.Tuple(Schema.String, Schema.String, Schema.Unknown),
  Schema.Tuple(Schema.String, Schema.Unknown)
))

/**
 * @since 0.1.0
 * @category methods
 */
export const getTaskRuns = Method.make("scheduler.getTaskRuns", {
  params: {
    clauses: Method.optional(Schema.NullOr(Clauses), null),
    fields: Method.optional(Schema.NullOr(Schema.Array(Schema.String)), null),
    opts: Method.optional(Schema.NullOr(QueryOpts), null)
  },
  success: Schema.Union(Schema.Array(TaskRun), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "Scheduler task runs (id, task_id, host_id, active, create_ts, + task/host names)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getTaskRefusals = Method.make("scheduler.getTaskRefusals", {
  params: {
    clauses: Method.optional(Schema.NullOr(Clauses), null),
    fields: Method.optional(Schema.NullOr(Schema.Array(Schema.String)), null)
  },
  success: Schema.Array(TaskRun),
  readOnly: true,
  access: "anon",
  doc: "Task refusals (id, task_id, host_id, by_host, soft, msg, ts, + task/host names)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getHostData = Method.make("scheduler.getHostData", {
  params: { hostID: Method.optional(Schema.NullOr(HostInfo), null) },
  success: Schema.Array(Schema.Struct({ host_id: Schema.Int, data: Schema.Unknown })),
  readOnly: true,
  access: "anon",
  doc: "The data hosts report to the scheduler ([{host_id, data}], one host or all)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getLogMessages = Method.make("scheduler.getLogMessages", {
  params: {
    clauses: Method.optional(Schema.NullOr(Clauses), null),
    fields: Method.optional(Schema.NullOr(Schema.Array(Schema.String)), null),
    opts: Method.optional(Schema.NullOr(QueryOpts), null)
  },
  success: Schema.Union(Schema.Array(TaskRun), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "Scheduler log messages (id, task_id, host_id, msg, msg_ts, + names), oldest first"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const doRun = Method.make("scheduler.doRun", {
  params: { force: Method.optional(Schema.Boolean, false) },
  success: Schema.Boolean,
  access: { perm: "admin" },
  doc: "Run the scheduler now (force: wait for another hub's pass instead of skipping)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const explain = Method.make("scheduler.explain", {
  params: { task_id: Schema.Int },
  success: Schema.Array(Schema.String),
  readOnly: true,
  access: "anon",
  doc: "Why a task is not running yet, in words (koji-ts)"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class TasksApi extends RpcGroup.make(
  makeTask,
  getTaskInfo,
  getTaskChildren,
  getTaskDescendents,
  listTasks,
  getTaskResult,
  taskFinished,
  cancelTask,
  cancelTaskFull,
  cancelTaskChildren,
  resubmitTask,
  setTaskPriority,
  freeTask,
  assignTask,
  restartHosts,
  getTaskRuns,
  getTaskRefusals,
  getHostData,
  getLogMessages,
  doRun,
  explain
) {}
