/**
 * Handlers of the Tasks area, the host task calls and the scheduler calls (the
 * logic lives in the `Tasks` and `Scheduler` services).
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { HostTasksApi } from "../api/HostTasks.js"
import { TasksApi } from "../api/Tasks.js"
import { TaskState } from "../domain/Enums.js"
import { ActionNotAllowed, ParameterError } from "../domain/Errors.js"
import type { HostId, TaskId } from "../domain/Ids.js"
import { Task } from "../domain/Task.js"
import * as Caller from "./Caller.js"
import * as Handlers from "./Handlers.js"
import { Hosts, layer as hostsLayer } from "./Hosts.js"
import * as Lookup from "./Lookup.js"
import { Scheduler } from "./Scheduler.js"
import * as SchedulerViews from "./SchedulerViews.js"
import { Tasks } from "./Tasks.js"

// the caller may act on a task: its owner, the host running it, or an admin (Koji's cancelTask rule)
const assertTaskRights = (tasks: Tasks["Type"], taskId: number, action: string) =>
  Effect.gen(function*() {
    const session = yield* Caller.session
    const { hostId, owner } = yield* tasks.ownership(taskId)
    if (owner === session.userId) return
    if (hostId !== null && session.hostId === hostId) return
    if (yield* Caller.hasPerm("admin")) return
    return yield* new ActionNotAllowed({ message: `Cannot ${action} task, not owner` })
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layerTasks = Handlers.toLayer(TasksApi, Effect.gen(function*() {
  const tasks = yield* Tasks
  const scheduler = yield* Scheduler
  const sql = yield* SqlClient.SqlClient
  const views = SchedulerViews.make(sql)
  return {
    makeTask: ({ arch, arglist, assign, channel, label, method, parent, priority }) =>
      Effect.flatMap(Caller.session, (session) =>
        Effect.map(
          tasks.make({ method, arglist, arch, assign, channel, label, parent, priority }, session.userId),
          (id) => id as TaskId
        )),
    getTaskInfo: Lookup.wanting(({ explain, request, strict, task_id }) => {
      const one = (id: number) =>
        Effect.flatMap(strict ? tasks.require(id, request) : tasks.find(id, request), (t) =>
          t === undefined
            ? Effect.succeed(null)
            : explain && (t.state === TaskState.FREE || t.state === TaskState.ASSIGNED)
            ? Effect.map(scheduler.explain(id), (why) => new Task({ ...t, why }))
            : Effect.succeed(t))
      return typeof task_id === "number" ? one(task_id) : Effect.forEach(task_id, one)
    }, ({ request, task_id }) => tasks.wants(task_id, request)),
    getTaskChildren: ({ request, strict, task_id }) =>
      Effect.zipRight(strict ? tasks.require(task_id) : Effect.void, tasks.children(task_id, request)),
    getTaskDescendents: ({ request, task_id }) => tasks.descendants(task_id, request),
    listTasks: ({ opts, queryOpts }) => tasks.list(opts, queryOpts),
    getTaskResult: ({ raise_fault, taskId }) => tasks.result(taskId, raise_fault),
    taskFinished: ({ taskId }) => tasks.isFinished(taskId),
    cancelTask: ({ recurse, task_id }) =>
      Effect.zipRight(assertTaskRights(tasks, task_id, "cancel"), tasks.cancel(task_id, recurse)),
    cancelTaskFull: ({ strict, task_id }) => Effect.as(tasks.cancelFull(task_id, strict), null),
    cancelTaskChildren: ({ task_id }) =>
      Effect.zipRight(assertTaskRights(tasks, task_id, "cancel"), Effect.as(tasks.cancelChildren(task_id), null)),
    resubmitTask: ({ taskID }) =>
      Effect.gen(function*() {
        const session = yield* Caller.session
        const { owner } = yield* tasks.ownership(taskID)
        if (owner !== session.userId && !(yield* Caller.hasPerm("admin"))) {
          return yield* new ActionNotAllowed({ message: "Cannot resubmit task, not owner" })
        }
        return (yield* tasks.resubmit(taskID, session.userId)) as TaskId
      }),
    setTaskPriority: ({ priority, recurse, task_id }) => Effect.as(tasks.setPriority(task_id, priority, recurse), null),
    freeTask: ({ task_id }) => Effect.as(tasks.free(task_id), null),
    assignTask: ({ force, host, override, task_id }) => tasks.assign(task_id, host, force, override),
    restartHosts: ({ options, priority }) =>
      Effect.flatMap(Caller.session, (session) =>
        Effect.map(
          tasks.make({ method: "restartHosts", arglist: options === null ? [] : [options], priority }, session.userId),
          (id) => id as TaskId
        )),
    "scheduler.getTaskRuns": ({ clauses, fields, opts }) => views.taskRuns(clauses, fields, opts),
    "scheduler.getTaskRefusals": ({ clauses, fields }) => views.refusals(clauses, fields),
    "scheduler.getHostData": ({ hostID }) => views.hostData(hostID),
    "scheduler.getLogMessages": ({ clauses, fields, opts }) => views.logMessages(clauses, fields, opts),
    "scheduler.doRun": ({ force }) => Effect.map(scheduler.run(force), (report) => !report.skipped),
    "scheduler.explain": ({ task_id }) => scheduler.explain(task_id)
  }
}))

/**
 * @since 0.1.0
 * @category layers
 */
export const layerHost = Handlers.toLayer(HostTasksApi, Effect.gen(function*() {
  const tasks = yield* Tasks
  const hosts = yield* Hosts
  const scheduler = yield* Scheduler
  const host = Effect.map(Caller.host, (h) => h.hostId)
  const subtask = (
    hostId: number,
    parent: number,
    method: string,
    arglist: ReadonlyArray<unknown>,
    opts: {
      readonly label?: string | null | undefined
      readonly arch?: string | null | undefined
      readonly channel?: number | string | null | undefined
      readonly priority?: number | null | undefined
      readonly assign?: number | string | null | undefined
      readonly kwargs?: Readonly<Record<string, unknown>> | null | undefined
    }
  ) =>
    Effect.gen(function*() {
      yield* tasks.assertHost(hostId, parent)
      if (opts.label != null) {
        // restart-safe: the child with this label, if it exists already
        const existing = (yield* tasks.children(parent)).find((t) => t.label === opts.label)
        if (existing !== undefined) return existing.id
      }
      return (yield* tasks.make({ ...opts, method, arglist, parent }, undefined)) as TaskId
    })
  return {
    "host.getTasks": () =>
      Effect.gen(function*() {
        const hostId = yield* host
        const found = yield* tasks.assigned(hostId)
        // Koji runs the scheduler when a host finds nothing to do
        if (found.length === 0) yield* scheduler.trigger
        return found
      }),
    "host.getHostTasks": () =>
      Effect.flatMap(host, (hostId) =>
        Effect.map(tasks.hostTasks(hostId), (list) => list.map((t) => ({ ...t, id: t.id as TaskId })))),
    "host.openTask": ({ task_id }) => Effect.flatMap(host, (hostId) => tasks.open(hostId, task_id)),
    "host.closeTask": ({ response, task_id }) =>
      Effect.flatMap(host, (hostId) => Effect.as(tasks.finish(hostId, task_id, response, "CLOSED"), null)),
    "host.failTask": ({ response, task_id }) =>
      Effect.flatMap(host, (hostId) => Effect.as(tasks.finish(hostId, task_id, response, "FAILED"), null)),
    "host.freeTasks": (payload) =>
      Effect.flatMap(host, (hostId) => Effect.as(tasks.freeByHost(hostId, payload.tasks), null)),
    "host.setTaskWeight": ({ task_id, weight }) =>
      Effect.flatMap(host, (hostId) => Effect.as(tasks.setWeight(hostId, task_id, weight), null)),
    "host.subtask": ({ arch, arglist, assign, channel, kwargs, label, method, parent, priority }) =>
      Effect.flatMap(host, (hostId) =>
        subtask(hostId, parent, method, arglist, { label, arch, channel, priority, assign, kwargs })),
    "host.subtask2": ({ __method, __parent, __taskopts, args, kwargs }) =>
      Effect.flatMap(host, (hostId) =>
        subtask(hostId, __parent, __method, args, {
          ...__taskopts,
          kwargs: { ...__taskopts.kwargs, ...kwargs }
        })),
    "host.taskSetWait": (payload) =>
      Effect.flatMap(host, (hostId) => Effect.as(tasks.setWait(hostId, payload.parent, payload.tasks), null)),
    "host.taskWait": ({ parent }) => Effect.flatMap(host, (hostId) => tasks.wait(hostId, parent)),
    "host.taskWaitResults": ({ canfail, parent, tasks: ids }) =>
      Effect.flatMap(host, (hostId) => tasks.waitResults(hostId, parent, ids, canfail)),
    "host.refuseTask": ({ msg, soft, task_id }) =>
      Effect.flatMap(host, (hostId) => Effect.as(tasks.refuse(hostId, task_id, soft, msg), null)),
    "host.setHostData": ({ hostdata }) =>
      Effect.gen(function*() {
        const hostId = yield* host
        const data = typeof hostdata === "string"
          ? yield* Effect.try({
            try: () => JSON.parse(hostdata) as Record<string, unknown>,
            catch: () => new ParameterError({ message: "hostdata is not valid JSON" })
          })
          : hostdata
        const current = yield* hosts.require(hostId)
        yield* hosts.update(hostId, { taskLoad: current.task_load, ready: current.ready, data })
        return null
      }),
    "host.getLoadData": () =>
      Effect.gen(function*() {
        const hostId = yield* host
        const me = yield* hosts.require(hostId)
        const channels = yield* hosts.channelIds(hostId)
        const assigned = yield* tasks.assigned(hostId)
        return [[{ ...me, channels, id: me.id as HostId }], assigned] as const
      })
  }
})).pipe(Layer.provide(hostsLayer))

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Layer.merge(layerTasks, layerHost)

