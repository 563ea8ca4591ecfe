/**
 * Tasks (reference 5): creation (`make_task`), Koji's state machine, parent and
 * child waits, results, cancellation, priority and weight — the `Tasks` service
 * behind the task calls of users and of builder hosts.
 *
 * States: FREE -> ASSIGNED -> OPEN -> CLOSED | FAILED, FREE -> OPEN, any
 * unfinished state -> CANCELED, ASSIGNED | OPEN -> FREE. CLOSED, FAILED and
 * CANCELED are final: nothing changes a finished task. Every change is
 * published on the event stream (`task.state`), which wakes the scheduler and
 * tells builders and watchers at once.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import type { HostInfo } from "../api/Hosts.js"
import type { QueryOpts, UserInfo } from "../api/Users.js"
import { TaskState } from "../domain/Enums.js"
import { ActionNotAllowed, GenericError, type KojiError, ParameterError } from "../domain/Errors.js"
import type { ChannelId, HostId, TaskId, UserId } from "../domain/Ids.js"
import { Task, TaskListEntry } from "../domain/Task.js"
import { fromEpoch } from "../domain/Timestamp.js"
import * as Database from "../db/Database.js"
import * as EventStream from "./EventStream.js"
import { HubConfig } from "./HubConfig.js"
import { Policy } from "./Policy.js"
import { Hosts, layer as hostsLayer, parseArches } from "./Hosts.js"
import * as Lookup from "./Lookup.js"
import * as QueryOpts_ from "./QueryOpts.js"
import * as TaskRequest from "./TaskRequest.js"
import { layer as usersLayer, Users } from "./Users.js"

/**
 * Koji's default priority (lower runs sooner).
 *
 * @since 0.1.0
 * @category constants
 */
export const PRIO_DEFAULT = 20

/**
 * The states a task never leaves.
 *
 * @since 0.1.0
 * @category constants
 */
export const finalStates: ReadonlyArray<number> = [TaskState.CLOSED, TaskState.CANCELED, TaskState.FAILED]

/**
 * Options of `make_task`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MakeOptions {
  readonly method: string
  readonly arglist: ReadonlyArray<unknown>
  /** Keyword arguments of the task method (stored as Koji's `__starstar` struct). */
  readonly kwargs?: Readonly<Record<string, unknown>> | null | undefined
  readonly parent?: number | null | undefined
  readonly label?: string | null | undefined
  /** The owner (id or name); defaults to the caller for top-level tasks, to the parent's owner for subtasks. */
  readonly owner?: UserInfo | null | undefined
  /** The requested channel (id or name). */
  readonly channel?: number | string | null | undefined
  readonly arch?: string | null | undefined
  /** Absolute priority. */
  readonly priority?: number | null | undefined
  /** Assign to this host at once (id or name). */
  readonly assign?: HostInfo | null | undefined
}

/**
 * Filters of `listTasks` (Koji's `opts`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  readonly [key: string]: unknown
}

/**
 * One OPEN task of a host, as `host.getHostTasks` answers it.
 *
 * @since 0.1.0
 * @category models
 */
export interface HostTask {
  readonly id: number
  readonly waiting: boolean | null
  readonly weight: number
  readonly alert?: boolean
}

type Failure = KojiError | SqlError.SqlError

/**
 * @since 0.1.0
 * @category tags
 */
export class Tasks extends Context.Tag("koji/hub/Tasks")<Tasks, {
  /** Koji's `make_task`: answers the new task's id. */
  readonly make: (options: MakeOptions, callerId: number | undefined) => Effect.Effect<number, Failure>
  /** A task, with its decoded request when asked; `undefined` when unknown. */
  readonly find: (id: number, request?: boolean) => Effect.Effect<Task | undefined, Failure>
  /** What `find` (and `require`) will look up, for a batch to read ahead (`Lookup.wanting`). */
  readonly wants: (ids: number | ReadonlyArray<number>, request?: boolean) => ReadonlyArray<Lookup.Want>
  /** A task, or `GenericError: No such task: N`. */
  readonly require: (id: number, request?: boolean) => Effect.Effect<Task, Failure>
  readonly children: (id: number, request?: boolean) => Effect.Effect<ReadonlyArray<Task>, Failure>
  /** Koji's `getTaskDescendents`: task id (as a string) to its children, for the whole tree. */
  readonly descendants: (id: number, request?: boolean) => Effect.Effect<Record<string, ReadonlyArray<Task>>, Failure>
  readonly list: (opts: ListOptions | null, queryOpts: QueryOpts | null) => Effect.Effect<
    ReadonlyArray<TaskListEntry> | number,
    Failure
  >
  /** Koji's `getTaskResult`: the decoded result; a failed task's stored fault (raised, or as a struct). */
  readonly result: (id: number, raiseFault: boolean) => Effect.Effect<unknown, Failure>
  readonly isFinished: (id: number) => Effect.Effect<boolean, Failure>
  /** Cancel a task (and its children with `recurse`); false when it had already closed or failed. */
  readonly cancel: (id: number, recurse: boolean) => Effect.Effect<boolean, Failure>
  readonly cancelChildren: (id: number) => Effect.Effect<void, Failure>
  /** Koji's `cancelTaskFull`: the whole tree from its root. */
  readonly cancelFull: (id: number, strict: boolean) => Effect.Effect<void, Failure>
  /** A new task like a FAILED or CANCELED top-level one; answers its id. */
  readonly resubmit: (id: number, callerId: number) => Effect.Effect<number, Failure>
  readonly setPriority: (id: number, priority: number, recurse: boolean) => Effect.Effect<void, Failure>
  /** Back to FREE (no host); refused for finished tasks. */
  readonly free: (id: number) => Effect.Effect<void, Failure>
  /** `assignTask`: ASSIGNED to `host`; `force` for a task that is not FREE; `override` keeps the scheduler away. */
  readonly assign: (id: number, host: HostInfo, force: boolean, override: boolean) => Effect.Effect<boolean, Failure>
  /** Who owns the task, and which host runs it. */
  readonly ownership: (id: number) => Effect.Effect<{ readonly owner: number; readonly hostId: number | null }, Failure>

  /** `host.getTasks`: the tasks ASSIGNED to the host, most urgent first. */
  readonly assigned: (hostId: number) => Effect.Effect<ReadonlyArray<Task>, Failure>
  /** `host.getHostTasks`: the host's OPEN tasks, with `alert` for waiting ones whose awaited child finished. */
  readonly hostTasks: (hostId: number) => Effect.Effect<ReadonlyArray<HostTask>, Failure>
  /** `host.openTask`: OPEN it for the host (ASSIGNED to it, or FREE); the task with its raw request, or null when lost. */
  readonly open: (hostId: number, id: number) => Effect.Effect<Task | null, Failure>
  /** `host.closeTask` / `host.failTask`: finish an OPEN task of the host with its response document. */
  readonly finish: (hostId: number, id: number, response: string, state: "CLOSED" | "FAILED") => Effect.Effect<void, Failure>
  /** `host.freeTasks`: the host hands tasks back. */
  readonly freeByHost: (hostId: number, ids: ReadonlyArray<number>) => Effect.Effect<void, Failure>
  readonly setWeight: (hostId: number, id: number, weight: number) => Effect.Effect<void, Failure>
  /** `host.taskSetWait`. */
  readonly setWait: (hostId: number, parent: number, tasks: ReadonlyArray<number> | null) => Effect.Effect<void, Failure>
  /** `host.taskWait`: `[finished, unfinished]` awaited children. */
  readonly wait: (hostId: number, parent: number) => Effect.Effect<readonly [Array<number>, Array<number>], Failure>
  /** `host.taskWaitResults`: `[[id, result]]`; a failed child raises unless in `canfail`. */
  readonly waitResults: (
    hostId: number,
    parent: number,
    tasks: ReadonlyArray<number> | null,
    canfail: ReadonlyArray<number> | null
  ) => Effect.Effect<ReadonlyArray<readonly [number, unknown]>, Failure>
  /** `host.refuseTask`: record the refusal and free the task. */
  readonly refuse: (hostId: number, id: number, soft: boolean, msg: string) => Effect.Effect<void, Failure>
  /** Require that the host runs task `id` (OPEN, its host). */
  readonly assertHost: (hostId: number, id: number) => Effect.Effect<void, Failure>
}>() {}

interface TaskRow {
  readonly id: number
  readonly state: number
  readonly create_ts: number
  readonly start_ts: number | null
  readonly completion_ts: number | null
  readonly channel_id: number
  readonly host_id: number | null
  readonly parent: number | null
  readonly label: string | null
  readonly waiting: boolean | null
  readonly awaited: boolean | null
  readonly owner: number
  readonly method: string
  readonly arch: string
  readonly priority: number
  readonly weight: number
  readonly request?: string
  readonly result?: string | null
  readonly owner_name?: string
  readonly owner_type?: number
}

const time = (ts: number | null) => ts === null ? null : fromEpoch(Number(ts))

const fieldsOf = (row: TaskRow) => ({
  id: row.id as TaskId,
  state: row.state as TaskState,
  create_time: fromEpoch(Number(row.create_ts)),
  create_ts: Number(row.create_ts),
  start_time: time(row.start_ts),
  start_ts: row.start_ts === null ? null : Number(row.start_ts),
  completion_time: time(row.completion_ts),
  completion_ts: row.completion_ts === null ? null : Number(row.completion_ts),
  channel_id: row.channel_id as ChannelId,
  host_id: row.host_id as HostId | null,
  parent: row.parent as TaskId | null,
  label: row.label,
  waiting: row.waiting,
  awaited: row.awaited,
  owner: row.owner as UserId,
  method: row.method,
  arch: row.arch,
  priority: row.priority,
  weight: Number(row.weight)
})

// listTasks fields usable in queryOpts.order
const orderColumns: Readonly<Record<string, string>> = {
  id: "task.id",
  state: "task.state",
  create_time: "task.create_time",
  create_ts: "task.create_time",
  start_time: "task.start_time",
  start_ts: "task.start_time",
  completion_time: "task.completion_time",
  completion_ts: "task.completion_time",
  channel_id: "task.channel_id",
  host_id: "task.host_id",
  parent: "task.parent",
  label: "task.label",
  waiting: "task.waiting",
  awaited: "task.awaited",
  owner: "task.owner",
  method: "task.method",
  arch: "task.arch",
  priority: "task.priority",
  weight: "task.weight",
  owner_name: "users.name",
  owner_type: "users.usertype"
}

const stateName = (state: number) => TaskState.name(state as TaskState)

/**
 * The `task.state` event of a change: the task's new state, the host it concerns
 * (the new host, or the one that lost it) and what watchers need to show it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const taskEvent = (
  row: {
    readonly id: number
    readonly state: number
    readonly parent: number | null
    readonly method: string
    readonly owner: number
    readonly channel_id: number
    readonly arch: string
    readonly priority: number
    readonly label: string | null
  },
  state: number,
  hostId: number | null,
  extra: Readonly<Record<string, unknown>> = {}
): EventStream.NewEvent => ({
  kind: "task.state",
  task_id: row.id,
  parent_id: row.parent,
  host_id: hostId,
  data: {
    state,
    old_state: row.state,
    method: row.method,
    owner: row.owner,
    channel_id: row.channel_id,
    arch: row.arch,
    priority: row.priority,
    label: row.label,
    ...extra
  }
})

/**
 * The task service on Koji's tables.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const users = yield* Users
  const hosts = yield* Hosts
  const config = yield* HubConfig
  const policy = yield* Policy
  const provide = Database.withSql(sql)

  const columns = sql.literal(`task.id, task.state, date_part('epoch', task.create_time) AS create_ts,
    date_part('epoch', task.start_time) AS start_ts, date_part('epoch', task.completion_time) AS completion_ts,
    task.channel_id, task.host_id, task.parent, task.label, task.waiting, task.awaited, task.owner, task.method,
    task.arch, task.priority, task.weight`)

  const toTask = (row: TaskRow, request: boolean) =>
    request && row.request !== undefined
      ? Effect.map(TaskRequest.decodeRequest(row.request), (decoded) => new Task({ ...fieldsOf(row), request: decoded }))
      : Effect.succeed(new Task(fieldsOf(row)))

  const rows = (where: Statement.Fragment, request: boolean, order = sql.literal("task.id")) =>
    sql<TaskRow>`SELECT ${columns}${request ? sql.literal(", task.request") : sql.literal("")}
      FROM task WHERE ${where} ORDER BY ${order}`

  // task rows by id, with or without the request, batched (a multicall of getTaskInfo is one query)
  const rowsById = (request: boolean) =>
    Lookup.batched((ids) =>
      Effect.map(
        rows(sql.in("task.id", ids.filter((id): id is number => typeof id === "number")), request),
        (found) => new Map(found.map((row) => [row.id, row] as const))
      )
    )
  const byId = { plain: rowsById(false), withRequest: rowsById(true) }
  const lookupOf = (request: boolean) => request ? byId.withRequest : byId.plain

  const find = (id: number, request = false) =>
    Effect.flatMap(lookupOf(request)(id), (row) => row === undefined ? Effect.succeed(undefined) : toTask(row, request))

  const wants = (ids: number | ReadonlyArray<number>, request = false): ReadonlyArray<Lookup.Want> =>
    (typeof ids === "number" ? [ids] : ids).map((id) => lookupOf(request).want(id))

  const require = (id: number, request = false) =>
    Effect.flatMap(find(id, request), (task) =>
      task === undefined ? Effect.fail(new GenericError({ message: `No such task: ${id}` })) : Effect.succeed(task))

  // the task row, locked for this transaction
  const lock = (id: number) =>
    Effect.flatMap(
      sql<TaskRow>`SELECT ${columns} FROM task WHERE id = ${id} FOR UPDATE`,
      ([row]) => row === undefined ? Effect.fail(new GenericError({ message: `No such task: ${id}` })) : Effect.succeed(row)
    )

  // publish a task's change on the event stream
  const changed = (row: TaskRow, state: number, hostId: number | null, extra: Record<string, unknown> = {}) =>
    provide(EventStream.publish(taskEvent(row, state, hostId, extra)))

  const setState = (row: TaskRow, state: number, hostId: number | null, options: {
    readonly start?: boolean
    readonly complete?: boolean
    readonly result?: string
  } = {}) =>
    Effect.gen(function*() {
      yield* sql`UPDATE task SET state = ${state}, host_id = ${hostId}
        ${options.start ? sql.literal(", start_time = now()") : sql.literal("")}
        ${options.complete ? sql.literal(", completion_time = now()") : sql.literal("")}
        ${options.result !== undefined ? sql`, result = ${options.result}` : sql.literal("")}
        WHERE id = ${row.id}`
      if (finalStates.includes(state) || state === TaskState.FREE) {
        yield* sql`UPDATE scheduler_task_runs SET active = FALSE WHERE task_id = ${row.id} AND active IS TRUE`
      }
      // a change that leaves a host concerns that host (it must stop or forget the task)
      yield* changed(row, state, hostId ?? row.host_id)
    })

  const channelOf = (info: number | string) =>
    Effect.flatMap(hosts.findChannel(info), (channel) =>
      channel === undefined
        ? Effect.fail(new GenericError({ message: `No such channel: ${info}` }))
        : Effect.succeed(channel))

  const makeTask: Tasks["Type"]["make"] = (options, callerId) =>
    Effect.gen(function*() {
      if (typeof options.method !== "string" || options.method.length === 0) {
        return yield* new ParameterError({ message: "Invalid type for value 'method'" })
      }
      let arch = "noarch"
      if (options.arch != null) {
        const arches = yield* parseArches(options.arch)
        arch = arches.join(" ")
      }
      let owner: number
      let priority: number
      let parentChannel: number | null = null
      let label: string | null = null
      const parentId = options.parent ?? null
      if (parentId !== null) {
        const [parent] = yield* sql<{ state: number; owner: number; channel_id: number; priority: number; arch: string }>`
          SELECT state, owner, channel_id, priority, arch FROM task WHERE id = ${parentId}`
        if (parent === undefined) return yield* new GenericError({ message: `Invalid parent task: ${parentId}` })
        if (parent.state !== TaskState.OPEN) {
          return yield* new GenericError({ message: `Parent task (id ${parentId}) is not open` })
        }
        priority = options.priority ?? parent.priority - 1
        owner = options.owner != null ? (yield* users.require(options.owner)).id : parent.owner
        if (options.arch == null) arch = parent.arch
        parentChannel = parent.channel_id
        label = options.label ?? null
      } else {
        priority = options.priority ?? PRIO_DEFAULT
        if (options.owner != null) owner = (yield* users.require(options.owner)).id
        else if (callerId !== undefined) owner = callerId
        else return yield* new GenericError({ message: "task must have an owner" })
        // the per-owner cap on queued work
        if (config.maxQueuedTasksPerOwner > 0) {
          const [queued] = yield* sql<{ n: number }>`
            SELECT count(*)::int AS n FROM task WHERE state = ${TaskState.FREE} AND owner = ${owner}`
          if (queued!.n >= config.maxQueuedTasksPerOwner) {
            return yield* new GenericError({
              message: `user ${(yield* users.require(owner)).name} already has ${queued!.n} queued tasks `
                + `(limit ${config.maxQueuedTasksPerOwner}); `
                + "wait for some to start or cancel them"
            })
          }
        }
      }
      const data: Record<string, unknown> = {
        method: options.method,
        arch,
        parent: parentId,
        label,
        owner,
        user_id: owner,
        ...policyDataFromArgs(options.arglist)
      }
      let reqChannel: number | null = null
      if (options.channel != null) {
        data.req_channel = options.channel
        const channel = yield* channelOf(options.channel)
        if (!channel.enabled) return yield* new GenericError({ message: `Channel ${options.channel} is disabled.` })
        reqChannel = channel.id
      }
      // Koji's channel and priority policies (no verdict: the default channel, the priority unchanged)
      const channelVerdict = yield* policy.apply("channel", data)
      const channelId = yield* placeChannel(channelVerdict.action ?? "use default", reqChannel, parentChannel)
      priority = yield* adjustPriority((yield* policy.apply("priority", data)).action ?? "stay", priority)
      const assignTo = options.assign != null ? (yield* hosts.require(options.assign)).id : null
      const request = yield* TaskRequest.encodeRequest(options.method, options.arglist, options.kwargs)
      const state = assignTo === null ? TaskState.FREE : TaskState.ASSIGNED
      const [row] = yield* sql<TaskRow>`
        INSERT INTO task (state, owner, method, request, priority, parent, label, channel_id, arch, host_id)
        VALUES (${state}, ${owner}, ${options.method}, ${request}, ${priority}, ${parentId}, ${label}, ${channelId},
                ${arch}, ${assignTo})
        RETURNING ${columns}`
      yield* changed({ ...row!, state: -1 }, state, assignTo, { old_state: null })
      return row!.id
    }).pipe(
      Effect.catchIf(
        (e): e is SqlError.SqlError => isUniqueViolation(e),
        () => Effect.fail(new GenericError({ message: `A subtask labelled ${options.label} already exists` }))
      )
    )

  const placeChannel = (verdict: string, requested: number | null, parent: number | null) =>
    Effect.gen(function*() {
      const [word, arg] = verdict.trim().split(/\s+/)
      if (word === "use" && arg !== undefined) {
        const channel = yield* channelOf(arg)
        if (!channel.enabled) return yield* new GenericError({ message: `Channel ${arg} is disabled.` })
        return channel.id
      }
      if (word === "parent" && parent !== null) return parent
      if (word === "req" && requested !== null) return requested
      return yield* new GenericError({ message: "invalid channel policy" })
    })

  const adjustPriority = (verdict: string, priority: number) =>
    Effect.suspend(() => {
      const [word, arg] = verdict.trim().split(/\s+/)
      const n = arg === undefined ? NaN : Number.parseInt(arg, 10)
      if (word === "stay") return Effect.succeed(priority)
      if (word === "set" && Number.isFinite(n)) return Effect.succeed(n)
      if (word === "adjust" && Number.isFinite(n)) return Effect.succeed(priority + n)
      return Effect.fail(new GenericError({ message: "invalid priority policy" }))
    })

  const children = (id: number, request = false) =>
    Effect.flatMap(rows(sql`task.parent = ${id}`, request), (list) => Effect.forEach(list, (r) => toTask(r, request)))

  const descendants = (id: number, request = false) =>
    Effect.gen(function*() {
      const tree = yield* sql<TaskRow & { readonly request?: string }>`
        WITH RECURSIVE tree(id) AS (
          SELECT id FROM task WHERE parent = ${id} UNION ALL SELECT task.id FROM task JOIN tree ON task.parent = tree.id)
        SELECT ${columns}${request ? sql.literal(", task.request") : sql.literal("")}
          FROM task WHERE id IN (SELECT id FROM tree) ORDER BY id`
      const out: Record<string, Array<Task>> = { [String(id)]: [] }
      for (const row of tree) {
        out[String(row.id)] ??= []
        ;(out[String(row.parent)] ??= []).push(yield* toTask(row, request))
      }
      return out
    })

  const list: Tasks["Type"]["list"] = (opts, queryOpts) =>
    Effect.gen(function*() {
      const o = opts ?? {}
      const clauses: Array<Statement.Fragment> = []
      const ints = (key: string) => {
        const value = o[key]
        if (value === undefined) return undefined
        return (Array.isArray(value) ? value : [value]) as ReadonlyArray<number | null>
      }
      for (const [key, column] of [
        ["state", "task.state"],
        ["owner", "task.owner"],
        ["host_id", "task.host_id"],
        ["channel_id", "task.channel_id"],
        ["parent", "task.parent"]
      ] as const) {
        for (const negate of [false, true]) {
          const values = ints(negate ? `not_${key}` : key)
          if (values === undefined) continue
          const nonNull = values.filter((v): v is number => v !== null)
          const hasNull = values.some((v) => v === null)
          const parts: Array<Statement.Fragment> = []
          if (nonNull.length > 0) parts.push(sql.in(column, nonNull))
          if (hasNull) parts.push(sql`${sql(column.split(".")[1]!)} IS NULL`)
          const any = parts.length === 0 ? sql`FALSE` : sql.or(parts)
          clauses.push(negate ? sql`NOT (${any})` : any)
        }
      }
      for (const key of ["method", "arch"] as const) {
        const value = o[key]
        if (value === undefined || value === null) continue
        const values = (Array.isArray(value) ? value : [value]) as ReadonlyArray<string>
        clauses.push(values.length === 0 ? sql`FALSE` : sql.in(`task.${key}`, values))
      }
      for (const [key, column, op] of [
        ["createdBefore", "task.create_time", "<"],
        ["createdAfter", "task.create_time", ">"],
        ["startedBefore", "task.start_time", "<"],
        ["startedAfter", "task.start_time", ">"],
        ["completeBefore", "task.completion_time", "<"],
        ["completeAfter", "task.completion_time", ">"]
      ] as const) {
        const value = o[key]
        if (value === undefined || value === null) continue
        const at = typeof value === "number" ? sql`to_timestamp(${value})` : sql`${String(value)}::timestamptz`
        clauses.push(sql`${sql.literal(column)} ${sql.literal(op)} ${at}`)
      }
      const where = clauses.length === 0 ? sql`TRUE` : sql.and(clauses)
      const decode = o.decode === true
      return yield* QueryOpts_.run(sql, queryOpts, {
        columns: orderColumns,
        tiebreak: "task.id",
        from: sql`SELECT 1 FROM task JOIN users ON users.id = task.owner WHERE ${where}`,
        select: (order, window) =>
          Effect.flatMap(
            sql<TaskRow>`SELECT ${columns}, task.request, task.result, users.name AS owner_name,
                users.usertype AS owner_type
              FROM task JOIN users ON users.id = task.owner WHERE ${where} ORDER BY ${order} ${window}`,
            (found) =>
              Effect.forEach(found, (row) =>
                Effect.gen(function*() {
                  const request = decode ? yield* TaskRequest.decodeRequest(row.request ?? "") : row.request ?? ""
                  const result = row.result == null
                    ? null
                    : decode
                    ? yield* Effect.map(TaskRequest.decodeResult(row.result), (o) =>
                      o._tag === "Fault" ? { faultCode: o.faultCode, faultString: o.faultString } : o.value)
                    : row.result
                  return new TaskListEntry({
                    ...fieldsOf(row),
                    request,
                    result,
                    owner_name: row.owner_name!,
                    owner_type: row.owner_type as any
                  })
                }))
          )
      })
    })

  const result = (id: number, raiseFault: boolean) =>
    Effect.gen(function*() {
      const [row] = yield* sql<{ state: number; result: string | null }>`SELECT state, result FROM task WHERE id = ${id}`
      if (row === undefined) return yield* new GenericError({ message: "No such task" })
      if (row.state === TaskState.CANCELED) return yield* new GenericError({ message: `Task ${id} is canceled` })
      if (!finalStates.includes(row.state)) return yield* new GenericError({ message: `Task ${id} is not finished` })
      const outcome = yield* TaskRequest.decodeResult(row.result ?? "")
      if (outcome._tag === "Value") return outcome.value
      if (raiseFault) return yield* Effect.fail(TaskRequest.faultError(outcome))
      return { faultCode: outcome.faultCode, faultString: outcome.faultString }
    })

  const isFinished = (id: number) =>
    Effect.flatMap(sql<{ state: number }>`SELECT state FROM task WHERE id = ${id}`, ([row]) =>
      row === undefined
        ? Effect.fail(new GenericError({ message: `No such task: ${id}` }))
        : Effect.succeed(finalStates.includes(row.state)))

  const cancelChildren = (id: number): Effect.Effect<void, Failure> =>
    Effect.flatMap(
      sql<{ id: number }>`SELECT id FROM task WHERE parent = ${id} ORDER BY id`,
      (kids) => Effect.forEach(kids, (kid) => cancel(kid.id, true), { discard: true })
    )

  const cancel = (id: number, recurse: boolean): Effect.Effect<boolean, Failure> =>
    Effect.gen(function*() {
      const row = yield* lock(id)
      if (row.state === TaskState.CANCELED) return true
      if (row.state === TaskState.CLOSED || row.state === TaskState.FAILED) return false
      yield* setState(row, TaskState.CANCELED, row.host_id, { complete: true })
      // builds this task was building are canceled with it (the build pipeline's BUILDING builds)
      const builds = yield* sql<{ id: number }>`
        UPDATE build SET state = 4, completion_time = now() WHERE task_id = ${id} AND state = 0 RETURNING id`
      for (const build of builds) {
        yield* provide(EventStream.publish({ kind: "build.state", build_id: build.id, task_id: id, data: { state: 4 } }))
      }
      if (recurse) yield* cancelChildren(id)
      return true
    })

  const cancelFull = (id: number, strict: boolean) =>
    Effect.gen(function*() {
      let root = id
      const seen = new Set<number>()
      while (true) {
        const [row] = yield* sql<{ parent: number | null }>`SELECT parent FROM task WHERE id = ${root}`
        if (row === undefined) return yield* new GenericError({ message: `No such task: ${root}` })
        if (row.parent === null) break
        if (strict) return yield* new GenericError({ message: `Task ${id} is not top-level (parent=${row.parent})` })
        if (seen.has(row.parent)) return yield* new GenericError({ message: `Task LOOP at task ${root}` })
        seen.add(root)
        root = row.parent
      }
      // every descendant, also below finished tasks
      const tree = yield* sql<{ id: number }>`
        WITH RECURSIVE tree(id) AS (SELECT ${root}::int UNION ALL SELECT task.id FROM task JOIN tree ON task.parent = tree.id)
        SELECT id FROM tree ORDER BY id`
      for (const t of tree) yield* cancel(t.id, false)
    })

  const resubmit = (id: number, callerId: number) =>
    Effect.gen(function*() {
      const [row] = yield* sql<{ state: number; parent: number | null; method: string; request: string; arch: string; channel_id: number; priority: number; owner: number }>`
        SELECT state, parent, method, request, arch, channel_id, priority, owner FROM task WHERE id = ${id}`
      if (row === undefined) return yield* new GenericError({ message: `No such task: ${id}` })
      if (row.state !== TaskState.FAILED && row.state !== TaskState.CANCELED) {
        return yield* new GenericError({ message: `Task ${id} is not in the failed or canceled state` })
      }
      if (row.parent !== null) return yield* new GenericError({ message: `Task ${id} is not a top-level task` })
      const [created] = yield* sql<TaskRow>`
        INSERT INTO task (state, owner, method, request, priority, channel_id, arch)
        VALUES (${TaskState.FREE}, ${callerId}, ${row.method}, ${row.request}, ${row.priority}, ${row.channel_id},
                ${row.arch})
        RETURNING ${columns}`
      yield* changed({ ...created!, state: -1 }, TaskState.FREE, null, { old_state: null, resubmit_of: id })
      return created!.id
    })

  const setPriority = (id: number, priority: number, recurse: boolean): Effect.Effect<void, Failure> =>
    Effect.gen(function*() {
      const row = yield* lock(id)
      if (finalStates.includes(row.state)) {
        return yield* new GenericError({ message: `Task ${id} is finished (${stateName(row.state)})` })
      }
      yield* sql`UPDATE task SET priority = ${priority} WHERE id = ${id}`
      yield* changed({ ...row, priority }, row.state, row.host_id, { old_priority: row.priority })
      if (recurse) {
        const kids = yield* sql<{ id: number; state: number }>`SELECT id, state FROM task WHERE parent = ${id}`
        for (const kid of kids) if (!finalStates.includes(kid.state)) yield* setPriority(kid.id, priority, true)
      }
    })

  const free = (id: number) =>
    Effect.gen(function*() {
      const row = yield* lock(id)
      if (finalStates.includes(row.state)) {
        return yield* new GenericError({ message: `Cannot free task ${id}, state is ${stateName(row.state)}` })
      }
      yield* setState(row, TaskState.FREE, null)
    })

  const assign = (id: number, hostInfo: HostInfo, force: boolean, override: boolean) =>
    Effect.gen(function*() {
      const host = yield* hosts.require(hostInfo)
      const row = yield* lock(id)
      if (!force && row.state !== TaskState.FREE) return false
      if (finalStates.includes(row.state)) {
        return yield* new GenericError({ message: `Cannot assign task ${id}, state is ${stateName(row.state)}` })
      }
      yield* sql`UPDATE scheduler_task_runs SET active = FALSE WHERE task_id = ${id} AND active IS TRUE`
      yield* sql`UPDATE task SET state = ${TaskState.ASSIGNED}, host_id = ${host.id} WHERE id = ${id}`
      if (!override) yield* sql`INSERT INTO scheduler_task_runs (task_id, host_id) VALUES (${id}, ${host.id})`
      yield* sql`INSERT INTO scheduler_log_messages (task_id, host_id, msg)
        VALUES (${id}, ${host.id}, ${override ? "Assigning task (override)" : "Assigning task"})`
      // the host that had it (if another) must forget it, the new one must hear of it
      if (row.host_id !== null && row.host_id !== host.id) yield* changed(row, TaskState.FREE, row.host_id)
      yield* changed(row, TaskState.ASSIGNED, host.id)
      return true
    })

  const ownership = (id: number) =>
    Effect.flatMap(sql<{ owner: number; host_id: number | null }>`SELECT owner, host_id FROM task WHERE id = ${id}`, ([row]) =>
      row === undefined
        ? Effect.fail(new GenericError({ message: `No such task: ${id}` }))
        : Effect.succeed({ owner: row.owner, hostId: row.host_id }))

  const assertHost = (hostId: number, id: number) =>
    Effect.flatMap(ownership(id), ({ hostId: owner }) =>
      owner === hostId
        ? Effect.void
        : Effect.fail(new ActionNotAllowed({ message: `host ${hostId} does not own task ${id}` })))

  const assigned = (hostId: number) =>
    Effect.flatMap(
      rows(sql`task.state = ${TaskState.ASSIGNED} AND task.host_id = ${hostId}`, false, sql.literal("task.priority, task.create_time, task.id")),
      (list) => Effect.forEach(list, (r) => toTask(r, false))
    )

  const hostTasks = (hostId: number) =>
    Effect.map(
      sql<{ id: number; waiting: boolean | null; weight: number; alert: boolean }>`
        SELECT t.id, t.waiting, t.weight,
               (t.waiting IS TRUE AND EXISTS (SELECT 1 FROM task c WHERE c.parent = t.id AND c.awaited IS TRUE
                  AND c.state IN (${TaskState.CLOSED}, ${TaskState.CANCELED}, ${TaskState.FAILED}))) AS alert
          FROM task t WHERE t.host_id = ${hostId} AND t.state = ${TaskState.OPEN} ORDER BY t.id`,
      (list) => list.map((r): HostTask => ({ id: r.id, waiting: r.waiting, weight: Number(r.weight), alert: r.alert }))
    )

  const open = (hostId: number, id: number) =>
    Effect.gen(function*() {
      const [row] = yield* sql<TaskRow>`SELECT ${columns}, task.request FROM task WHERE id = ${id} FOR UPDATE`
      if (row === undefined) return yield* new GenericError({ message: `No such task: ${id}` })
      const mine = row.state === TaskState.FREE
        ? row.host_id === null
        : row.state === TaskState.ASSIGNED && row.host_id === hostId
      if (!mine) return null
      yield* setState(row, TaskState.OPEN, hostId, { start: true })
      const [opened] = yield* sql<TaskRow>`SELECT ${columns}, task.request FROM task WHERE id = ${id}`
      const request = opened!.request ?? ""
      return new Task({
        ...fieldsOf(opened!),
        request: request.trimStart().startsWith("<") ? request : Buffer.from(request, "base64").toString("utf8")
      })
    })

  const finish = (hostId: number, id: number, response: string, state: "CLOSED" | "FAILED") =>
    Effect.gen(function*() {
      const row = yield* lock(id)
      if (row.host_id !== hostId) {
        return yield* new ActionNotAllowed({ message: `host ${hostId} does not own task ${id}` })
      }
      if (row.state !== TaskState.OPEN) {
        return yield* new GenericError({
          message: `Cannot ${state === "CLOSED" ? "close" : "fail"} task ${id}, state is ${stateName(row.state)}`
        })
      }
      // the document must be one we can give back to Koji's clients
      const outcome = yield* TaskRequest.decodeResult(response).pipe(
        Effect.mapError((e) => new ParameterError({ message: e.message }))
      )
      if (state === "FAILED" && outcome._tag !== "Fault") {
        return yield* new ParameterError({ message: "host.failTask needs a fault document" })
      }
      yield* setState(row, TaskState[state], hostId, { complete: true, result: response })
    })

  const freeByHost = (hostId: number, ids: ReadonlyArray<number>) =>
    Effect.forEach(ids, (id) =>
      Effect.gen(function*() {
        const row = yield* lock(id)
        if (row.host_id !== hostId) {
          return yield* new ActionNotAllowed({ message: `host ${hostId} does not own task ${id}` })
        }
        if (finalStates.includes(row.state)) return
        yield* setState(row, TaskState.FREE, null)
      }), { discard: true })

  const setWeight = (hostId: number, id: number, weight: number) =>
    Effect.gen(function*() {
      if (!(weight >= 0)) return yield* new ParameterError({ message: `Invalid weight: ${weight}` })
      yield* assertHost(hostId, id)
      yield* sql`UPDATE task SET weight = ${weight} WHERE id = ${id}`
    })

  const setWait = (hostId: number, parent: number, tasks: ReadonlyArray<number> | null) =>
    Effect.gen(function*() {
      yield* assertHost(hostId, parent)
      yield* sql`UPDATE task SET waiting = TRUE WHERE id = ${parent}`
      if (tasks === null) {
        yield* sql`UPDATE task SET awaited = TRUE WHERE parent = ${parent}`
      } else {
        yield* sql`UPDATE task SET awaited = (id IN ${sql.in(tasks.length > 0 ? tasks : [-1])}) WHERE parent = ${parent}`
      }
    })

  const wait = (hostId: number, parent: number) =>
    Effect.gen(function*() {
      yield* assertHost(hostId, parent)
      const kids = yield* sql<{ id: number; state: number }>`
        SELECT id, state FROM task WHERE parent = ${parent} AND awaited IS TRUE ORDER BY id`
      const finished = kids.filter((k) => finalStates.includes(k.state)).map((k) => k.id)
      const unfinished = kids.filter((k) => !finalStates.includes(k.state)).map((k) => k.id)
      if (finished.length > 0) yield* sql`UPDATE task SET awaited = FALSE WHERE id IN ${sql.in(finished)}`
      return [finished, unfinished] as const
    })

  const waitResults = (
    hostId: number,
    parent: number,
    tasks: ReadonlyArray<number> | null,
    canfail: ReadonlyArray<number> | null
  ) =>
    Effect.gen(function*() {
      yield* assertHost(hostId, parent)
      const kids = yield* sql<{ id: number; state: number; result: string | null }>`
        SELECT id, state, result FROM task WHERE parent = ${parent}
          ${tasks === null ? sql.literal("") : sql`AND id IN ${sql.in(tasks.length > 0 ? tasks : [-1])}`}
          ORDER BY id`
      yield* sql`UPDATE task SET waiting = FALSE WHERE id = ${parent}`
      yield* sql`UPDATE task SET awaited = FALSE WHERE parent = ${parent}`
      const out: Array<readonly [number, unknown]> = []
      for (const kid of tasks === null ? kids.filter((k) => finalStates.includes(k.state)) : kids) {
        const outcome = yield* resultOutcome(kid)
        if (outcome._tag === "Value") {
          out.push([kid.id, outcome.value])
        } else if (canfail !== null && canfail.includes(kid.id)) {
          out.push([kid.id, { faultCode: outcome.faultCode, faultString: outcome.faultString }])
        } else {
          return yield* Effect.fail(TaskRequest.faultError(outcome))
        }
      }
      return out
    })

  // a child's outcome: its result, a fault, or Koji's errors for canceled/unfinished children
  const resultOutcome = (kid: { id: number; state: number; result: string | null }) => {
    if (kid.state === TaskState.CANCELED) {
      return Effect.succeed<TaskRequest.Outcome>({ _tag: "Fault", faultCode: 1000, faultString: `Task ${kid.id} is canceled` })
    }
    if (!finalStates.includes(kid.state)) {
      return Effect.succeed<TaskRequest.Outcome>({ _tag: "Fault", faultCode: 1000, faultString: `Task ${kid.id} is not finished` })
    }
    return TaskRequest.decodeResult(kid.result ?? "")
  }

  const refuse = (hostId: number, id: number, soft: boolean, msg: string) =>
    Effect.gen(function*() {
      const row = yield* lock(id)
      if (row.host_id !== hostId) {
        return yield* new ActionNotAllowed({ message: `host ${hostId} does not own task ${id}` })
      }
      if (row.state !== TaskState.ASSIGNED && row.state !== TaskState.OPEN) {
        return yield* new GenericError({ message: `Cannot refuse task ${id}, state is ${stateName(row.state)}` })
      }
      yield* sql`
        INSERT INTO scheduler_task_refusals (task_id, host_id, by_host, soft, msg)
        VALUES (${id}, ${hostId}, TRUE, ${soft}, ${msg})
        ON CONFLICT (task_id, host_id) DO UPDATE SET by_host = TRUE, soft = ${soft}, msg = ${msg}, time = now()`
      yield* sql`INSERT INTO scheduler_log_messages (task_id, host_id, msg)
        VALUES (${id}, ${hostId}, ${`Task refused by host (${soft ? "soft" : "hard"}): ${msg}`})`
      yield* setState(row, TaskState.FREE, null)
    })

  return Tasks.of({
    make: (options, callerId) => provide(makeTask(options, callerId)),
    find: (id, request) => find(id, request),
    wants,
    require: (id, request) => require(id, request),
    children,
    descendants,
    list,
    result,
    isFinished,
    cancel,
    cancelChildren,
    cancelFull,
    resubmit,
    setPriority,
    free,
    assign,
    ownership,
    assigned,
    hostTasks,
    open,
    finish,
    freeByHost,
    setWeight,
    setWait,
    wait,
    waitResults,
    refuse,
    assertHost
  })
})

const isUniqueViolation = (e: unknown): boolean =>
  typeof e === "object" && e !== null && (e as { _tag?: string })._tag === "SqlError"
  && /23505|unique/i.test(String((e as { message?: string }).message) + String((e as { cause?: unknown }).cause))

/**
 * Koji's `policy_data_from_task_args`: what a task's arguments tell the policies
 * (`source`, `target`, `build_tag`, `scratch`...), as far as they can be read.
 *
 * @since 0.1.0
 * @category combinators
 */
export const policyDataFromArgs = (arglist: ReadonlyArray<unknown>): Record<string, unknown> => {
  const last = arglist[arglist.length - 1]
  const kwargs = typeof last === "object" && last !== null && (last as Record<string, unknown>).__starstar === true
    ? last as Record<string, unknown>
    : undefined
  const opts = kwargs?.opts ?? arglist.find((a) => typeof a === "object" && a !== null && !Array.isArray(a))
  const data: Record<string, unknown> = {}
  if (typeof arglist[0] === "string" && /^(git|svn|cvs)/.test(arglist[0])) data.source = arglist[0]
  if (typeof arglist[1] === "string") data.target = arglist[1]
  if (typeof opts === "object" && opts !== null) {
    const o = opts as Record<string, unknown>
    if (o.scratch !== undefined) data.scratch = o.scratch
  }
  return data
}

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Tasks, never, SqlClient.SqlClient | HubConfig | Policy> = Layer.effect(Tasks, make).pipe(
  Layer.provide(Layer.merge(hostsLayer, usersLayer))
)
