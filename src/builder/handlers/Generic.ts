/**
 * Koji's generic task handlers (koji/tasks.py), with Koji's arguments and
 * weights: `sleep`, `fork`, `waittest`, `subtask`, `default`, `dependantTask`,
 * `shutdown`, `restart`, `restartVerify`, `restartHosts`.
 *
 * @since 0.1.0
 */
import { Effect, Schema, Stream } from "effect"
import { spawn } from "node:child_process"
import { TaskState } from "../../domain/Enums.js"
import { GenericError } from "../../domain/Errors.js"
import * as TaskHandler from "../TaskHandler.js"

/**
 * `sleep(n)`: sleep n seconds.
 *
 * @since 0.1.0
 * @category handlers
 */
export const sleep = TaskHandler.make({
  methods: ["sleep"],
  weight: 0.25,
  params: Schema.Tuple(Schema.Number),
  handler: ([n], ctx) =>
    Effect.gen(function*() {
      yield* ctx.log(`Sleeping for ${n} seconds`)
      yield* Effect.sleep(`${n} seconds`)
      yield* ctx.log("Finished sleeping")
      return null
    })
})

/**
 * `fork(n=5, m=37)`: start n `sleep m` processes and return.
 *
 * @since 0.1.0
 * @category handlers
 */
export const fork = TaskHandler.make({
  methods: ["fork"],
  params: Schema.Tuple(Schema.optionalElement(Schema.Int), Schema.optionalElement(Schema.Number)),
  handler: ([n = 5, m = 37]) =>
    Effect.sync(() => {
      for (let i = 0; i < n; i++) spawn("sleep", [String(m)], { detached: true, stdio: "ignore" }).unref()
      return null
    })
})

/**
 * `waittest(count, seconds=10)`: `count` sleeping children plus one bad one that may fail.
 *
 * @since 0.1.0
 * @category handlers
 */
export const waittest = TaskHandler.make({
  methods: ["waittest"],
  weight: 0.1,
  params: Schema.Tuple(Schema.Int, Schema.optionalElement(Schema.Number)),
  handler: ([count, seconds = 10], ctx) =>
    Effect.gen(function*() {
      const tasks: Array<number> = []
      for (let i = 0; i < count; i++) tasks.push(yield* ctx.subtask("sleep", [seconds], { label: String(i) }))
      const bad = yield* ctx.subtask("sleep", ["BAD_ARG"], { label: "bad" })
      tasks.push(bad)
      const results = yield* ctx.wait({ tasks, all: true, failany: true, canfail: [bad] })
      yield* ctx.log(JSON.stringify(results))
      return null
    })
})

/**
 * `subtask(n=4)`: a chain of n nested `subtask` tasks ending in a 15 s `sleep`.
 *
 * @since 0.1.0
 * @category handlers
 */
export const subtask = TaskHandler.make({
  methods: ["subtask"],
  weight: 0.1,
  params: Schema.Tuple(Schema.optionalElement(Schema.Int)),
  handler: ([n = 4], ctx) =>
    Effect.gen(function*() {
      const child = n > 0
        ? yield* ctx.subtask("subtask", [n - 1], { label: "foo" })
        : yield* ctx.subtask("sleep", [15], { label: "bar" })
      yield* ctx.wait({ tasks: child })
      return null
    })
})

/**
 * `default`: the handler for a method nobody serves: fails with `Invalid method`.
 *
 * @since 0.1.0
 * @category handlers
 */
export const defaultTask = TaskHandler.make({
  methods: ["default"],
  weight: 0.1,
  params: Schema.Array(Schema.Unknown),
  handler: (_, ctx) => Effect.fail(new GenericError({ message: `Invalid method: ${ctx.method}` }))
})

/**
 * `dependantTask(wait_list, task_list)`: wait for unrelated tasks (through the
 * event stream, no polling), then run `[method, arglist, opts?]` children and wait for them.
 *
 * @since 0.1.0
 * @category handlers
 */
export const dependantTask = TaskHandler.make({
  methods: ["dependantTask"],
  weight: 0.2,
  params: Schema.Tuple(
    Schema.Array(Schema.Unknown),
    Schema.Array(Schema.Tuple(
      Schema.String,
      Schema.Array(Schema.Unknown),
      Schema.optionalElement(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
    ))
  ),
  handler: ([waitList, taskList], ctx) =>
    Effect.gen(function*() {
      const pending = new Set<number>()
      for (const id of waitList) {
        if (typeof id === "number" && Number.isInteger(id) && (yield* Effect.mapError(ctx.hub.getTaskInfo({ task_id: id }), TaskHandler.hubFailure)) !== null) {
          pending.add(id)
        } else {
          yield* ctx.log(`invalid task id ${String(id)}, removing from wait_list`)
        }
      }
      const after = yield* Effect.mapError(ctx.hub.events.lastId({}), TaskHandler.hubFailure)
      const check = (id: number) =>
        Effect.gen(function*() {
          const info: any = yield* Effect.mapError(ctx.hub.getTaskInfo({ task_id: id }), TaskHandler.hubFailure)
          if (info.state === TaskState.CANCELED || info.state === TaskState.FAILED) {
            return yield* new GenericError({ message: `Dependency ${id} failed to complete.` })
          }
          if (info.state === TaskState.CLOSED) pending.delete(id)
        })
      for (const id of [...pending]) yield* check(id)
      if (pending.size > 0) {
        yield* ctx.hub.watch({ after, filter: { kinds: ["task.state"] } }).pipe(
          Stream.mapError(TaskHandler.hubFailure),
          Stream.filter((e) => e.task_id !== null && pending.has(e.task_id)),
          Stream.mapEffect((e) => check(e.task_id!)),
          Stream.takeUntil(() => pending.size === 0),
          Stream.runDrain
        )
      }
      const children: Array<number> = []
      for (const [method, arglist, opts] of taskList) {
        children.push(yield* ctx.subtask(method, arglist, (opts ?? {}) as TaskHandler.SubtaskOptions))
      }
      if (children.length > 0) yield* ctx.wait({ tasks: children, all: true })
      return null
    })
})

/**
 * `shutdown()`: stop the daemon (foreground).
 *
 * @since 0.1.0
 * @category handlers
 */
export const shutdown = TaskHandler.make({
  methods: ["shutdown"],
  weight: 0,
  foreground: true,
  params: Schema.Tuple(),
  handler: () => Effect.fail(new TaskHandler.ServerExit())
})

const HostArg = Schema.Struct({ id: Schema.Int }, Schema.Record({ key: Schema.String, value: Schema.Unknown }))

/**
 * `restart(host)`: restart the daemon once it is idle (foreground).
 *
 * @since 0.1.0
 * @category handlers
 */
export const restart = TaskHandler.make({
  methods: ["restart"],
  weight: 0.1,
  foreground: true,
  params: Schema.Tuple(HostArg),
  handler: ([host], ctx) =>
    host.id !== ctx.host.id
      ? Effect.fail(new GenericError({ message: "Host mismatch" }))
      : Effect.as(ctx.daemon.requestRestart, "graceful restart initiated")
})

/**
 * `restartVerify(task_id, host)`: the restart task closed and the daemon started after it.
 *
 * @since 0.1.0
 * @category handlers
 */
export const restartVerify = TaskHandler.make({
  methods: ["restartVerify"],
  weight: 0.1,
  foreground: true,
  params: Schema.Tuple(Schema.Int, HostArg),
  handler: ([taskId, host], ctx) =>
    Effect.gen(function*() {
      const info: any = yield* Effect.mapError(ctx.hub.getTaskInfo({ task_id: taskId }), TaskHandler.hubFailure)
      if (info?.state !== TaskState.CLOSED) {
        const state = info === null ? "missing" : TaskState.name(info.state)
        return yield* new GenericError({ message: `Stage one restart task is ${state}` })
      }
      if (host.id !== ctx.host.id) return yield* new GenericError({ message: "Host mismatch" })
      if (ctx.daemon.startTs < info.completion_ts) {
        return yield* new GenericError({
          message: `Restart failed - start time is ${new Date(ctx.daemon.startTs * 1000).toString()}`
        })
      }
      return null
    })
})

/**
 * `restartHosts(options=None)`: restart every enabled host (of a channel, of arches):
 * a `restart` and a `restartVerify` child assigned to each.
 *
 * @since 0.1.0
 * @category handlers
 */
export const restartHosts = TaskHandler.make({
  methods: ["restartHosts"],
  weight: 0.1,
  params: Schema.Tuple(
    Schema.optionalElement(Schema.NullOr(Schema.Struct({
      channel: Schema.optional(Schema.Union(Schema.String, Schema.Int)),
      arches: Schema.optional(Schema.Array(Schema.String)),
      timeout: Schema.optional(Schema.Number)
    })))
  ),
  handler: ([options], ctx) =>
    Effect.gen(function*() {
      const opts = options ?? {}
      const channel = opts.channel === undefined
        ? undefined
        : yield* Effect.mapError(ctx.hub.getChannel({ channelInfo: opts.channel, strict: true }), TaskHandler.hubFailure)
      const hosts: any = yield* Effect.mapError(
        ctx.hub.listHosts({
          enabled: true,
          channelID: channel?.id ?? null,
          arches: opts.arches ?? null
        }),
        TaskHandler.hubFailure
      )
      if (hosts.length === 0) return yield* new GenericError({ message: "No matching hosts" })
      const timeout = `${opts.timeout ?? 3600 * 24} seconds` as const
      const subtasks: Array<number> = []
      let mine: [number, number] | undefined
      for (const host of hosts) {
        const hostInfo = { ...host }
        const first = yield* ctx.subtask("restart", [hostInfo], { assign: host.id, label: `restart ${host.id}` })
        const second = yield* ctx.subtask("restartVerify", [first, hostInfo], {
          assign: host.id,
          label: `sleep ${host.id}`
        })
        subtasks.push(first, second)
        if (host.id === ctx.host.id) mine = [first, second]
      }
      if (mine !== undefined) {
        yield* ctx.wait({ tasks: mine[0], timeout })
        const done = yield* Effect.mapError(ctx.hub.taskFinished({ taskId: mine[1] }), TaskHandler.hubFailure)
        if (!done) return yield* new TaskHandler.ServerRestart()
      }
      yield* ctx.wait({ tasks: subtasks, all: true, timeout })
      return null
    })
})

/**
 * Every generic handler.
 *
 * @since 0.1.0
 * @category constants
 */
export const handlers: ReadonlyArray<TaskHandler.TaskHandler> = [
  sleep,
  fork,
  waittest,
  subtask,
  defaultTask,
  dependantTask,
  shutdown,
  restart,
  restartVerify,
  restartHosts
]
