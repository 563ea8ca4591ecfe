/**
 * The scheduler: `scheduler-info` (task runs, host data; in koji-ts also a task's
 * refusals and, with `--logs`, the scheduler's messages), `scheduler-logs`, and
 * `why TASK` (koji-ts: `scheduler.explain`, why a task is not running yet).
 *
 * @since 0.1.0
 */
import { Args, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { TaskState } from "../../domain/Enums.js"
import * as Format from "../Format.js"
import * as Handler from "../Handler.js"
import { error, print, Session, type SessionShape, usageError } from "../Session.js"
import { asctime, pyStr, shortTime, stateName } from "../TaskLabel.js"
import { isInvalidMethod } from "../TaskWatcher.js"
import { hubAtLeast, intArg } from "./Tasks.js"

type Row = Record<string, unknown>

const json = Options.boolean("json").pipe(Options.withDescription("Print the result as JSON"))

const noScheduler = (session: SessionShape) =>
  Effect.gen(function*() {
    if (yield* hubAtLeast(session, [1, 34, 0])) return
    const version = yield* session.hubVersion
    return yield* error(`Hub version is ${version} and doesn't support scheduler methods introduced in 1.34.`)
  })

const hostId = (session: SessionShape, host: string) =>
  Effect.gen(function*() {
    const n = Number.parseInt(host, 10)
    if (String(n) === host.trim()) return n
    const info = (yield* session.call("getHost", { hostInfo: host, strict: true })) as { id: number }
    return info.id
  })

/**
 * The rows of `scheduler-logs` (Koji's columns; `%-30s` pads the message).
 *
 * @since 0.1.0
 * @category formatting
 */
export const logLines = (logs: ReadonlyArray<Row>, quiet: boolean): ReadonlyArray<string> => {
  const row = (task: string, host: string, time: string, msg: string) =>
    `${Format.ljust(task, 10)} ${Format.ljust(host, 20)} ${Format.ljust(time, 25)} ${Format.ljust(msg, 30)}`
  const lines: Array<string> = []
  if (!quiet) {
    const header = row("Task", "Host", "Time", "Message")
    lines.push(header, "-".repeat(header.length))
  }
  for (const log of logs) {
    lines.push(row(pyStr(log["task_id"]), pyStr(log["host_name"]), asctime(Number(log["msg_ts"])), pyStr(log["msg"])))
  }
  return lines
}

const logMessages = (
  session: SessionShape,
  clauses: ReadonlyArray<readonly [string, string, unknown]>,
  limit: number | undefined
) =>
  Effect.map(
    session.call("scheduler.getLogMessages", {
      clauses,
      fields: ["id", "task_id", "host_id", "host_name", "msg_ts", "msg"],
      ...(limit === undefined ? {} : { opts: { order: "-id", limit } })
    }),
    (rows) => {
      const list = [...(rows as ReadonlyArray<Row>)]
      return limit === undefined ? list : list.reverse()
    }
  )

const stateChoice = Options.choice("state", TaskState.names).pipe(
  Options.optional,
  Options.withDescription("Limit data to task state")
)

/**
 * `scheduler-info`.
 *
 * @since 0.1.0
 * @category commands
 */
export const schedulerInfo = Handler.make("scheduler-info", {
  category: "monitor",
  summary: "Show information about scheduling",
  usage: "scheduler-info [options]",
  anonymous: true,
  description: "koji-ts also shows the refusals of the task given with --task, and with --logs the scheduler's " +
    "messages about the task or host"
}, {
  task: Options.integer("task").pipe(Options.withAlias("t"), Options.optional, Options.withDescription("Limit data to given task id")),
  host: Options.text("host").pipe(Options.optional, Options.withDescription("Limit data to given builder id")),
  state: stateChoice,
  limit: Options.integer("limit").pipe(Options.withDefault(100), Options.withDescription("Limit data to last N items [default: 100]")),
  logs: Options.boolean("logs").pipe(Options.withDescription("Show the scheduler's log messages too (koji-ts)")),
  json,
  args: Args.text({ name: "arg" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.args.length > 0) return yield* usageError("This command takes no arguments")
    yield* session.ensureConnection
    const host = Option.isSome(options.host) ? yield* hostId(session, options.host.value) : undefined
    const clauses: Array<readonly [string, string, unknown]> = []
    if (Option.isSome(options.task)) clauses.push(["task_id", "=", options.task.value])
    if (host !== undefined) clauses.push(["host_id", "=", host])
    if (Option.isSome(options.state)) clauses.push(["state", "=", TaskState.value(options.state.value)])
    yield* noScheduler(session)
    const runs = [
      ...((yield* session.call("scheduler.getTaskRuns", {
        clauses,
        fields: ["id", "task_id", "host_name", "state", "create_ts", "start_ts", "completion_ts"],
        opts: { order: "-id", limit: options.limit }
      })) as ReadonlyArray<Row>)
    ].reverse()
    const refusals = Option.isSome(options.task)
      ? (yield* session.call("scheduler.getTaskRefusals", {
        clauses: [["task_id", "=", options.task.value]],
        fields: ["id", "task_id", "host_id", "host_name", "by_host", "soft", "msg", "ts"]
      }).pipe(Effect.catchIf(isInvalidMethod, () => Effect.succeed([])))) as ReadonlyArray<Row>
      : []
    const hostData = host === undefined
      ? undefined
      : ((yield* session.call("scheduler.getHostData", { hostID: host })) as ReadonlyArray<{ data: unknown }>)
    const logClauses = clauses.filter(([field]) => field !== "state")
    const logs = options.logs ? yield* logMessages(session, logClauses, options.limit) : []
    if (options.json) {
      return yield* print(Format.jsonDumps({
        runs,
        refusals,
        ...(hostData === undefined ? {} : { host_data: hostData[0]?.data ?? null }),
        ...(options.logs ? { logs } : {})
      }))
    }
    const quiet = session.settings.quiet
    const row = (r: Readonly<Record<string, string>>) =>
      `${Format.ljust(r["task_id"]!, 9)} ${Format.ljust(r["host_name"]!, 20)} ${Format.ljust(r["state"]!, 7)} ` +
      `${Format.ljust(r["create_ts"]!, 17)} ${Format.ljust(r["start_ts"]!, 17)} ${Format.ljust(r["completion_ts"]!, 17)}`
    if (!quiet) {
      const header = row({
        task_id: "Task",
        host_name: "Host",
        state: "State",
        create_ts: "Created",
        start_ts: "Started",
        completion_ts: "Ended"
      })
      yield* print(header)
      yield* print("-".repeat(header.length))
    }
    for (const run of runs) {
      yield* print(row({
        task_id: pyStr(run["task_id"]),
        host_name: pyStr(run["host_name"]),
        state: stateName(Number(run["state"])),
        create_ts: shortTime(run["create_ts"] as number | null),
        start_ts: shortTime(run["start_ts"] as number | null),
        completion_ts: shortTime(run["completion_ts"] as number | null)
      }))
    }
    if (refusals.length > 0) {
      yield* print(`Refusals of task ${Option.getOrThrow(options.task)}:`)
      for (const r of refusals) {
        const kind = r["soft"] ? "soft" : "hard"
        const who = r["by_host"] ? "by the host" : "by the hub"
        yield* print(`  ${pyStr(r["host_name"])}: ${kind}, ${who}, ${shortTime(r["ts"] as number)}: ${pyStr(r["msg"] ?? "")}`)
      }
    }
    if (hostData !== undefined) {
      yield* print(`Host data for ${Option.getOrThrow(options.host)}:`)
      yield* print(hostData.length > 0 ? Format.repr(hostData[0]!.data) : "-")
    }
    if (options.logs) {
      yield* print("Scheduler logs:")
      for (const line of logLines(logs, quiet)) yield* print(line)
    }
  }))

/**
 * `scheduler-logs`.
 *
 * @since 0.1.0
 * @category commands
 */
export const schedulerLogs = Handler.make("scheduler-logs", {
  category: "monitor",
  summary: "Query scheduler logs",
  usage: "scheduler-logs <options>",
  anonymous: true
}, {
  task: Options.integer("task").pipe(Options.optional, Options.withDescription("Filter by task ID")),
  host: Options.text("host").pipe(Options.optional, Options.withDescription("Filter by host (name/ID)")),
  from: Options.float("from").pipe(Options.optional, Options.withDescription("Logs from given timestamp")),
  to: Options.float("to").pipe(Options.optional, Options.withDescription("Logs until given timestamp (included)")),
  limit: Options.integer("limit").pipe(Options.optional, Options.withDescription("Limit data to last N items. [default: None]")),
  json,
  args: Args.text({ name: "arg" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.args.length > 0) return yield* usageError("There are no arguments for this command")
    if (Option.isSome(options.from) && Option.isSome(options.to) && Option.isSome(options.limit)) {
      return yield* usageError("If both --from and --to are used, --limit shouldn't be used")
    }
    yield* session.ensureConnection
    const clauses: Array<readonly [string, string, unknown]> = []
    if (Option.isSome(options.task) && options.task.value) clauses.push(["task_id", "=", options.task.value])
    if (Option.isSome(options.host)) clauses.push(["host_id", "=", yield* hostId(session, options.host.value)])
    if (Option.isSome(options.from) && options.from.value) clauses.push(["msg_ts", ">=", options.from.value])
    if (Option.isSome(options.to) && options.to.value) clauses.push(["msg_ts", "<", options.to.value])
    yield* noScheduler(session)
    const logs = yield* logMessages(session, clauses, Option.getOrUndefined(options.limit))
    if (options.json) return yield* print(Format.jsonDumps(logs))
    for (const line of logLines(logs, session.settings.quiet)) yield* print(line)
  }))

/**
 * `why TASK` (koji-ts): why a task is not running yet, in the scheduler's words.
 *
 * @since 0.1.0
 * @category commands
 */
export const why = Handler.make("why", {
  category: "monitor",
  summary: "Explain why a task is not running yet",
  usage: "why [options] <task_id>",
  anonymous: true
}, {
  json,
  ids: Args.text({ name: "task_id" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.ids.length !== 1) return yield* usageError("Please specify a single task ID")
    const task_id = yield* intArg(options.ids[0]!)
    yield* session.ensureConnection
    const lines = (yield* session.call("scheduler.explain", { task_id }).pipe(
      Effect.catchIf(isInvalidMethod, () => error("This hub cannot explain its scheduling (scheduler.explain is a koji-ts call)"))
    )) as ReadonlyArray<string>
    if (options.json) return yield* print(Format.jsonDumps(lines))
    for (const line of lines) yield* print(line)
  }))

/**
 * The scheduler commands.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands: ReadonlyArray<Handler.Spec> = [schedulerInfo, schedulerLogs, why]
