/**
 * The task calls of builder hosts (Koji's `host.*`, reference 5.5–5.7): taking,
 * opening, finishing, refusing and handing back tasks, subtasks and waits.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { TaskId } from "../domain/Ids.js"
import { Task } from "../domain/Task.js"
import { HostData, HostInfo } from "./Hosts.js"
import * as Method from "./Method.js"
import { Arglist } from "./Tasks.js"

/**
 * An OPEN task of the host (`host.getHostTasks`).
 *
 * @since 0.1.0
 * @category models
 */
export const HostTask = Schema.Struct({
  id: TaskId,
  waiting: Schema.NullOr(Schema.Boolean),
  weight: Schema.Number,
  alert: Schema.optional(Schema.Boolean)
})

/**
 * Options of a subtask (`host.subtask` keyword arguments; `owner` is not allowed).
 *
 * @since 0.1.0
 * @category models
 */
export const SubtaskOpts = Schema.Struct({
  label: Schema.optional(Schema.NullOr(Schema.String)),
  arch: Schema.optional(Schema.NullOr(Schema.String)),
  channel: Schema.optional(Schema.NullOr(Schema.Union(Schema.Int, Schema.String))),
  priority: Schema.optional(Schema.NullOr(Schema.Int)),
  assign: Schema.optional(Schema.NullOr(HostInfo)),
  kwargs: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
})

/**
 * @since 0.1.0
 * @category models
 */
export type SubtaskOpts = typeof SubtaskOpts.Type

const TaskIds = Schema.Array(Schema.Int)

/**
 * @since 0.1.0
 * @category methods
 */
export const getTasks = Method.make("host.getTasks", {
  success: Schema.Array(Task),
  readOnly: true,
  access: "host",
  doc: "The tasks ASSIGNED to this host, most urgent first (runs the scheduler when there are none)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getHostTasks = Method.make("host.getHostTasks", {
  success: Schema.Array(HostTask),
  readOnly: true,
  access: "host",
  doc: "The OPEN tasks of this host [{id, waiting, weight, alert}]"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const openTask = Method.make("host.openTask", {
  params: { task_id: Schema.Int },
  success: Schema.NullOr(Task),
  access: "host",
  doc: "Open a task ASSIGNED to this host (or FREE); the task with its raw request XML, or None if lost"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const closeTask = Method.make("host.closeTask", {
  params: { task_id: Schema.Int, response: Schema.String },
  access: "host",
  doc: "Close an OPEN task of this host with its result (an XML-RPC methodResponse document)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const failTask = Method.make("host.failTask", {
  params: { task_id: Schema.Int, response: Schema.String },
  access: "host",
  doc: "Fail an OPEN task of this host with its fault (an XML-RPC fault document)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const freeTasks = Method.make("host.freeTasks", {
  params: { tasks: TaskIds },
  access: "host",
  doc: "Hand tasks of this host back (FREE)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const setTaskWeight = Method.make("host.setTaskWeight", {
  params: { task_id: Schema.Int, weight: Schema.Number },
  access: "host",
  doc: "Set the weight of a task of this host"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const subtask = Method.make("host.subtask", {
  params: {
    method: Schema.String,
    arglist: Arglist,
    parent: Schema.Int,
    label: Method.keyword(Schema.NullOr(Schema.String), null),
    arch: Method.keyword(Schema.NullOr(Schema.String), null),
    channel: Method.keyword(Schema.NullOr(Schema.Union(Schema.Int, Schema.String)), null),
    priority: Method.keyword(Schema.NullOr(Schema.Int), null),
    assign: Method.keyword(Schema.NullOr(HostInfo), null),
    kwargs: Method.keyword(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })), null)
  },
  varkw: "opts",
  success: TaskId,
  access: "host",
  doc: "Create a child of an OPEN task of this host (label: one child per label, restart-safe); returns its id"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const subtask2 = Method.make("host.subtask2", {
  params: {
    __parent: Schema.Int,
    __taskopts: SubtaskOpts,
    __method: Schema.String,
    args: Method.rest(Schema.Unknown),
    kwargs: Method.kwargs()
  },
  success: TaskId,
  access: "host",
  doc: "host.subtask with the signature (parent, taskopts, method, *args, **kwargs)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const taskSetWait = Method.make("host.taskSetWait", {
  params: { parent: Schema.Int, tasks: Schema.NullOr(TaskIds) },
  access: "host",
  doc: "Mark a task waiting and its children awaited (None: all children)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const taskWait = Method.make("host.taskWait", {
  params: { parent: Schema.Int },
  success: Schema.Tuple(TaskIds, TaskIds),
  access: "host",
  doc: "[finished, unfinished] awaited children; finished ones are no longer awaited"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const taskWaitResults = Method.make("host.taskWaitResults", {
  params: {
    parent: Schema.Int,
    tasks: Schema.NullOr(TaskIds),
    canfail: Method.optional(Schema.NullOr(TaskIds), null)
  },
  success: Schema.Array(Schema.Tuple(Schema.Int, Schema.Unknown)),
  access: "host",
  doc: "Clear the wait and return [[task_id, result], ...]; a failed child raises unless in canfail"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const refuseTask = Method.make("host.refuseTask", {
  params: {
    task_id: Schema.Int,
    soft: Method.optional(Schema.Boolean, true),
    msg: Method.optional(Schema.String, "")
  },
  access: "host",
  doc: "Refuse a task of this host (soft: for a while; hard: for good) and free it"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const setHostData = Method.make("host.setHostData", {
  params: { hostdata: Schema.Union(HostData, Schema.String) },
  access: "host",
  doc: "Store this host's data for the scheduler (a JSON string is accepted too)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getLoadData = Method.make("host.getLoadData", {
  success: Schema.Tuple(Schema.Array(Schema.Unknown), Schema.Array(Task)),
  readOnly: true,
  access: "host",
  doc: "[compat] [[this host with its channels], its ASSIGNED tasks]"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class HostTasksApi extends RpcGroup.make(
  getTasks,
  getHostTasks,
  openTask,
  closeTask,
  failTask,
  freeTasks,
  setTaskWeight,
  subtask,
  subtask2,
  taskSetWait,
  taskWait,
  taskWaitResults,
  refuseTask,
  setHostData,
  getLoadData
) {}
