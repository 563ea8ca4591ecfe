/**
 * Tasks: `make-task`, `list-tasks`, `taskinfo`, `watch-task`, `cancel`,
 * `resubmit`, `free-task`, `assign-task`, `set-task-priority` and `restart-hosts`,
 * with Koji's options, output and exit codes (`--json` on the list and info
 * commands). `watch-task` and the commands that wait follow the hub's event
 * stream (see `TaskWatcher`).
 *
 * @since 0.1.0
 */
import { Args, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Effect, Option } from "effect"
import { TaskState } from "../../domain/Enums.js"
import * as Errors from "../../domain/Errors.js"
import * as Format from "../Format.js"
import * as Handler from "../Handler.js"
import * as Literal from "../Literal.js"
import { type CliError, error, errorLine, print, Session, type SessionShape, usageError, warn } from "../Session.js"
import { printTaskInfo, taskInfoJson } from "../TaskInfo.js"
import { stateName, taskLabel } from "../TaskLabel.js"
import { type TaskInfo, watchTasks } from "../TaskWatcher.js"
import { parseArches } from "./Hosts.js"

interface TaskEntry extends TaskInfo {
  readonly priority: number
  readonly owner_name: string
}

const json = Options.boolean("json").pipe(Options.withDescription("Print the result as JSON"))

const optionalText = (name: string, description: string) =>
  Options.text(name).pipe(Options.optional, Options.withDescription(description))

const isFault = (e: unknown): e is Errors.AnyFault => Errors.isKojiError(e) || e instanceof Errors.Fault

/**
 * Python's `int(arg)` on a command-line word; Koji's CLI dies with a `ValueError`
 * line (exit 1) when it is not one.
 *
 * @since 0.1.0
 * @category parsing
 */
export const intArg = (text: string): Effect.Effect<number, CliError> => {
  const n = Literal.parseInt(text)
  return n === undefined
    ? error(errorLine("ValueError", `invalid literal for int() with base 10: ${Format.repr(text)}`))
    : Effect.succeed(n)
}

/**
 * Koji's `_running_in_bg`: not on a terminal (then commands do not wait unless told to).
 *
 * @since 0.1.0
 * @category combinators
 */
export const inBackground = (session: SessionShape): boolean => !session.environment.isTTY

/**
 * The options of a command that waits on its task: `--wait`/`--nowait`, and
 * `--quiet` (default: the global one).
 *
 * @since 0.1.0
 * @category options
 */
const waitOptions = {
  wait: Options.boolean("wait").pipe(Options.withDescription("Wait on the task, even if running in the background")),
  nowait: Options.boolean("nowait").pipe(Options.withDescription("Don't wait on task"))
}

/**
 * Whether a command waits on its task: `--wait`, `--nowait`, else when on a terminal.
 *
 * @since 0.1.0
 * @category combinators
 */
export const shouldWait = (session: SessionShape, wait: boolean, nowait: boolean): boolean =>
  wait ? true : nowait ? false : !inBackground(session)

/**
 * Log out, then watch the tasks anonymously (Koji's habit after making a task); exit 1 when one failed.
 *
 * @since 0.1.0
 * @category combinators
 */
export const logoutAndWatch = (ids: ReadonlyArray<number>, quiet: boolean) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.logout
    const code = yield* watchTasks(ids, {
      quiet,
      topurl: session.settings.topurl,
      pollInterval: session.settings.poll_interval
    })
    if (code !== 0) return yield* error(undefined, code)
  })

/**
 * `make-task`.
 *
 * @since 0.1.0
 * @category commands
 */
export const makeTask = Handler.make("make-task", {
  category: "admin",
  summary: "Create an arbitrary task",
  usage: "make-task [options] <method> [<arg> ...]"
}, {
  channel: optionalText("channel", "set channel"),
  priority: Options.integer("priority").pipe(Options.optional, Options.withDescription("set priority")),
  watch: Options.boolean("watch").pipe(Options.withDescription("watch the task")),
  arch: optionalText("arch", "set arch"),
  args: Args.text({ name: "arg" }).pipe(Args.repeated, Args.withDescription("the task method, then its arguments"))
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    const [method, ...args] = options.args
    if (method === undefined) return yield* usageError("Please specify task method at least")
    yield* session.activate
    const id = yield* session.call("makeTask", {
      method,
      arglist: args.map(Literal.argFilter),
      ...(Option.isSome(options.channel) ? { channel: options.channel.value } : {}),
      ...(Option.isSome(options.priority) ? { priority: options.priority.value } : {}),
      ...(Option.isSome(options.arch) ? { arch: options.arch.value } : {})
    })
    yield* print(`Created task id ${id}`)
    if (inBackground(session) || !options.watch) return
    yield* logoutAndWatch([Number(id)], session.settings.quiet)
  }))

const selectionOptions = {
  mine: Options.boolean("mine").pipe(Options.withDescription("Just print your tasks")),
  user: optionalText("user", "Only tasks for this user"),
  arch: optionalText("arch", "Only tasks for this architecture"),
  method: optionalText("method", "Only tasks of this method"),
  channel: optionalText("channel", "Only tasks in this channel"),
  host: optionalText("host", "Only tasks for this host")
}

interface Selection {
  readonly mine: boolean
  readonly user: Option.Option<string>
  readonly arch: Option.Option<string>
  readonly method: Option.Option<string>
  readonly channel: Option.Option<string>
  readonly host: Option.Option<string>
  readonly all?: boolean
  readonly after?: Option.Option<number>
  readonly before?: Option.Option<number>
}

// print on stdout, then exit 1 (Koji's `print(...); sys.exit(1)`)
const fatal = (message: string) => Effect.zipRight(print(message), error())

/**
 * Koji's `_list_tasks`: the unfinished tasks (all with `all`) that match the
 * selection, ordered by priority and age, each with the `children` listed with it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const listTasks = (selection: Selection) =>
  Effect.gen(function*() {
    const session = yield* Session
    const opts: Record<string, unknown> = { decode: true }
    if (!selection.all) opts["state"] = [TaskState.FREE, TaskState.OPEN, TaskState.ASSIGNED]
    if (selection.after !== undefined && Option.isSome(selection.after)) opts["startedAfter"] = selection.after.value
    if (selection.before !== undefined && Option.isSome(selection.before)) opts["startedBefore"] = selection.before.value
    if (selection.mine) {
      if (Option.isSome(selection.user)) {
        return yield* new Errors.GenericError({ message: "Can't specify 'mine' and 'user' in same time" })
      }
      const user = (yield* session.call("getLoggedInUser")) as { id: number } | null
      if (user === null) return yield* fatal("Unable to determine user")
      opts["owner"] = user.id
    }
    if (Option.isSome(selection.user)) {
      const user = (yield* session.call("getUser", { userInfo: selection.user.value })) as { id: number } | null
      if (user === null) return yield* fatal(`No such user: ${selection.user.value}`)
      opts["owner"] = user.id
    }
    if (Option.isSome(selection.arch)) opts["arch"] = (yield* parseArches(selection.arch.value)).split(" ")
    if (Option.isSome(selection.method)) opts["method"] = selection.method.value
    if (Option.isSome(selection.channel)) {
      const channel = (yield* session.call("getChannel", { channelInfo: selection.channel.value })) as { id: number } | null
      if (channel === null) return yield* fatal(`No such channel: ${selection.channel.value}`)
      opts["channel_id"] = channel.id
    }
    if (Option.isSome(selection.host)) {
      const host = (yield* session.call("getHost", { hostInfo: selection.host.value })) as { id: number } | null
      if (host === null) return yield* fatal(`No such host: ${selection.host.value}`)
      opts["host_id"] = host.id
    }
    const list = (yield* session.call("listTasks", { opts, queryOpts: { order: "priority,create_time" } })) as ReadonlyArray<
      TaskEntry
    >
    const byId = new Map(list.map((t) => [t.id, { task: t, children: [] as Array<number>, sub: false }]))
    for (const t of list) {
      const parent = t.parent === null ? undefined : byId.get(t.parent)
      if (parent !== undefined) {
        parent.children.push(t.id)
        byId.get(t.id)!.sub = true
      }
    }
    return { list, byId }
  })

/**
 * Koji's `print_task`: one row of `list-tasks` (children indented under their parent with ` +`).
 *
 * @since 0.1.0
 * @category formatting
 */
export const taskRow = (task: TaskEntry, depth = 0): string => {
  const indent = depth ? `${"  ".repeat(depth - 1)} +` : ""
  return `${Format.ljust(String(task.id), 8)} ${Format.ljust(String(task.priority), 4)} ${Format.ljust(task.owner_name, 20)} ` +
    `${Format.ljust(stateName(task.state), 8)} ${Format.ljust(task.arch, 10)} ${indent}${taskLabel(task)}`
}

/**
 * The header of `list-tasks`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const taskHeader = "ID       Pri  Owner                State    Arch       Name"

// Koji's TimeOption: seconds since the epoch, or a date/time
const timeOption = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.mapEffect((text) => {
      const n = Literal.parseFloat(text)
      if (n !== undefined) return Effect.succeed(n)
      const ms = Date.parse(text)
      return Number.isNaN(ms)
        ? Effect.fail(
          ValidationError.invalidValue(HelpDoc.p(`option --${name}: invalid time specification: ${Format.repr(text)}`))
        )
        : Effect.succeed(ms / 1000)
    }),
    Options.optional,
    Options.withDescription(
      `${description}, time is specified as timestamp or date/time in any format which can be parsed, e.g. "2020-12-31 12:35"`
    )
  )

/**
 * `list-tasks`.
 *
 * @since 0.1.0
 * @category commands
 */
export const listTasksCommand = Handler.make("list-tasks", {
  category: "info",
  summary: "Print the list of tasks",
  usage: "list-tasks [options]"
}, {
  ...selectionOptions,
  quiet: Options.boolean("quiet").pipe(Options.withDescription("Do not display the column headers")),
  before: timeOption("before", "List tasks completed before this time"),
  after: timeOption("after", "List tasks completed after this time (same format as for --before"),
  all: Options.boolean("all").pipe(Options.withDescription("List also finished tasks (valid only with --after)")),
  json
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.all && Option.isNone(options.after)) return yield* usageError("--all must be used with --after")
    yield* session.activate
    const { byId, list } = yield* listTasks(options)
    if (options.json) return yield* print(Format.jsonDumps(list))
    if (list.length === 0) return yield* print("(no tasks)")
    if (!(options.quiet || session.settings.quiet)) yield* print(taskHeader)
    const printTree = (id: number, depth: number): Effect.Effect<void> =>
      Effect.gen(function*() {
        const entry = byId.get(id)!
        yield* print(taskRow(entry.task, depth))
        for (const child of entry.children) yield* printTree(child, depth + 1)
      })
    for (const task of list) if (!byId.get(task.id)!.sub) yield* printTree(task.id, 0)
  }))

/**
 * `taskinfo`.
 *
 * @since 0.1.0
 * @category commands
 */
export const taskinfo = Handler.make("taskinfo", {
  category: "info",
  summary: "Show information about a task",
  usage: "taskinfo [options] <task_id> [<task_id> ...]",
  anonymous: true
}, {
  recurse: Options.boolean("recurse").pipe(Options.withAlias("r"), Options.withDescription("Show children of this task as well")),
  verbose: Options.boolean("verbose").pipe(Options.withAlias("v"), Options.withDescription("Be verbose")),
  json,
  ids: Args.text({ name: "task_id" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.ids.length === 0) return yield* usageError("You must specify at least one task ID")
    yield* session.ensureConnection
    const found: Array<Record<string, unknown>> = []
    const settings = { topdir: session.settings.topdir, recurse: options.recurse, verbose: options.verbose }
    for (const arg of options.ids) {
      const id = yield* intArg(arg)
      if (options.json) found.push(yield* taskInfoJson(id, settings))
      else yield* printTaskInfo(id, settings)
    }
    if (options.json) yield* print(Format.jsonDumps(found))
  }))

/**
 * `watch-task`.
 *
 * @since 0.1.0
 * @category commands
 */
export const watchTask = Handler.make("watch-task", {
  category: "monitor",
  summary: "Track progress of particular tasks",
  usage: "watch-task [options] <task id> [<task id> ...]"
}, {
  quiet: Options.boolean("quiet").pipe(Options.withDescription("Do not print the task information")),
  ...selectionOptions,
  ids: Args.text({ name: "task id" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    const selection = options.mine || [options.user, options.arch, options.method, options.channel, options.host].some(Option.isSome)
    if (options.ids.length > 0 && selection) return yield* usageError("Selection options cannot be combined with a task list")
    if (options.mine) yield* session.activate
    else yield* session.ensureConnection
    let ids: Array<number> = []
    if (selection) {
      ids = (yield* listTasks(options)).list.map((t) => t.id)
      if (ids.length === 0) return yield* print("(no tasks)")
    } else {
      for (const arg of options.ids) {
        const id = Literal.parseInt(arg)
        if (id === undefined) return yield* usageError("task id must be an integer")
        ids.push(id)
      }
      if (ids.length === 0) return yield* usageError("at least one task id must be specified")
    }
    const code = yield* watchTasks(ids, {
      quiet: options.quiet || session.settings.quiet,
      topurl: session.settings.topurl,
      pollInterval: session.settings.poll_interval
    })
    if (code !== 0) return yield* error(undefined, code)
  }))

// koji.parse_NVR's check: name-version-release, each part non-empty
const isNvr = (text: string) => {
  const p2 = text.lastIndexOf("-")
  if (p2 === -1 || p2 === text.length - 1) return false
  const p1 = text.lastIndexOf("-", p2 - 1)
  return p1 > 0 && p1 !== p2 - 1
}

const versionAtLeast = (version: string, wanted: ReadonlyArray<number>) => {
  const parts = version.split(".").map((p) => Number.parseInt(p, 10) || 0)
  for (let i = 0; i < wanted.length; i++) {
    if ((parts[i] ?? 0) !== wanted[i]) return (parts[i] ?? 0) > wanted[i]!
  }
  return true
}

/**
 * Whether the hub's Koji version is at least `wanted` (Koji's `session.hub_version` checks).
 *
 * @since 0.1.0
 * @category combinators
 */
export const hubAtLeast = (session: SessionShape, wanted: ReadonlyArray<number>) =>
  Effect.map(session.hubVersion, (v) => versionAtLeast(v, wanted))

/**
 * `cancel`.
 *
 * @since 0.1.0
 * @category commands
 */
export const cancel = Handler.make("cancel", {
  category: "build",
  summary: "Cancel tasks and/or builds",
  usage: "cancel [options] <task_id|build> [<task_id|build> ...]"
}, {
  justone: Options.boolean("justone").pipe(Options.withDescription("Do not cancel subtasks")),
  full: Options.boolean("full").pipe(Options.withDescription("Full cancellation (admin only)")),
  force: Options.boolean("force").pipe(Options.withDescription("Allow subtasks with --full")),
  targets: Args.text({ name: "task_id|build" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.targets.length === 0) return yield* usageError("You must specify at least one task id or build")
    yield* session.activate
    const tasks: Array<number> = []
    const builds: Array<string> = []
    for (const arg of options.targets) {
      const id = Literal.parseInt(arg)
      if (id !== undefined) tasks.push(id)
      else if (isNvr(arg)) builds.push(arg)
      else return yield* usageError("please specify only task ids (integer) or builds (n-v-r)")
    }
    const calls: Array<Effect.Effect<unknown, CliError>> = []
    for (const task_id of tasks) {
      if (options.justone) calls.push(session.call("cancelTask", { task_id, recurse: false }))
      else if (options.full) calls.push(session.call("cancelTaskFull", { task_id, ...(options.force ? { strict: false } : {}) }))
      else calls.push(session.call("cancelTask", { task_id }))
    }
    if (builds.length > 0) {
      const strict = yield* hubAtLeast(session, [1, 33, 0])
      for (const buildID of builds) calls.push(session.call("cancelBuild", { buildID, ...(strict ? { strict: true } : {}) }))
    }
    // each call on its own (Koji's non-strict multicall): report the faults, exit 1 if any
    let failed = false
    for (const c of calls) {
      yield* c.pipe(Effect.catchIf(isFault, (e) => Effect.zipRight(warn(e.message), Effect.sync(() => failed = true))))
    }
    if (failed) return yield* error(undefined, 1)
  }))

/**
 * `resubmit`.
 *
 * @since 0.1.0
 * @category commands
 */
export const resubmit = Handler.make("resubmit", {
  category: "build",
  summary: "Retry a canceled or failed task, using the same parameter as the original task.",
  usage: "resubmit [options] <task_id>"
}, {
  ...waitOptions,
  nowatch: Options.boolean("nowatch").pipe(Options.withDescription("An alias for --nowait")),
  quiet: Options.boolean("quiet").pipe(Options.withDescription("Do not print the task information")),
  ids: Args.text({ name: "task_id" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.ids.length !== 1) return yield* usageError("Please specify a single task ID")
    const quiet = options.quiet || session.settings.quiet
    yield* session.activate
    const taskID = yield* intArg(options.ids[0]!)
    if (!quiet) {
      yield* print("Resubmitting the following task:")
      yield* printTaskInfo(taskID, { topdir: session.settings.topdir, recurse: false, verbose: true })
    }
    const newID = yield* session.call("resubmitTask", { taskID })
    if (!quiet) yield* print(`Resubmitted task ${taskID} as new task ${newID}`)
    if (shouldWait(session, options.wait, options.nowait || options.nowatch)) yield* logoutAndWatch([Number(newID)], quiet)
  }))

/**
 * `free-task`.
 *
 * @since 0.1.0
 * @category commands
 */
export const freeTask = Handler.make("free-task", {
  category: "admin",
  summary: "Free a task",
  usage: "free-task [options] <task_id> [<task_id> ...]"
}, {
  ids: Args.text({ name: "task_id" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const ids: Array<number> = []
    for (const arg of options.ids) {
      const id = Literal.parseInt(arg)
      if (id === undefined) return yield* usageError("task_id must be an integer")
      ids.push(id)
    }
    if (ids.length === 0) return yield* usageError("please specify at least one task_id")
    for (const task_id of ids) yield* session.call("freeTask", { task_id })
  }))

/**
 * `assign-task`.
 *
 * @since 0.1.0
 * @category commands
 */
export const assignTask = Handler.make("assign-task", {
  category: "admin",
  summary: "Assign a task to a host",
  usage: "assign-task <task_id> <hostname>"
}, {
  force: Options.boolean("force").pipe(Options.withAlias("f"), Options.withDescription("force to assign a non-free task")),
  override: Options.boolean("override").pipe(
    Options.withDescription("the scheduler leaves the task with this host (no run is recorded)")
  ),
  args: Args.text({ name: "task_id hostname" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.args.length !== 2) return yield* usageError("please specify a task id and a hostname")
    const taskId = yield* intArg(options.args[0]!)
    const hostname = options.args[1]!
    if ((yield* session.call("getTaskInfo", { task_id: taskId, request: false })) === null) {
      return yield* new Errors.GenericError({ message: `No such task: ${taskId}` })
    }
    if ((yield* session.call("getHost", { hostInfo: hostname })) === null) {
      return yield* new Errors.GenericError({ message: `No such host: ${hostname}` })
    }
    yield* session.activate
    if (!(yield* session.call("hasPerm", { perm: "admin" }))) return yield* usageError("This action requires admin privileges")
    const assigned = yield* session.call("assignTask", {
      task_id: taskId,
      host: hostname,
      force: options.force,
      ...(options.override ? { override: true } : {})
    })
    yield* print(assigned ? `assigned task ${taskId} to host ${hostname}` : `failed to assign task ${taskId} to host ${hostname}`)
  }))

/**
 * `set-task-priority`.
 *
 * @since 0.1.0
 * @category commands
 */
export const setTaskPriority = Handler.make("set-task-priority", {
  category: "admin",
  summary: "Set task priority",
  usage: "set-task-priority [options] --priority=<priority> <task_id> [<task_id> ...]"
}, {
  priority: Options.integer("priority").pipe(Options.optional, Options.withDescription("New priority")),
  recurse: Options.boolean("recurse").pipe(Options.withDescription("Change priority of child tasks as well")),
  ids: Args.text({ name: "task_id" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.ids.length === 0) return yield* usageError("You must specify at least one task id")
    if (Option.isNone(options.priority)) return yield* usageError("You must specify --priority")
    const ids: Array<number> = []
    for (const arg of options.ids) {
      const id = Literal.parseInt(arg)
      if (id === undefined) return yield* usageError("Task numbers must be integers")
      ids.push(id)
    }
    yield* session.activate
    if (!(yield* session.call("hasPerm", { perm: "admin" }))) {
      const user = (yield* session.call("getLoggedInUser")) as { name: string } | null
      return yield* error(`admin permission required (logged in as ${user?.name})`)
    }
    for (const task_id of ids) {
      yield* session.call("setTaskPriority", { task_id, priority: options.priority.value, recurse: options.recurse }).pipe(
        Effect.catchIf(
          (e) => Errors.isKojiError(e) && Errors.isA(e, "GenericError"),
          () => warn(`Can't update task priority on closed task: ${task_id}`)
        )
      )
    }
  }))

/**
 * `restart-hosts`: a `restartHosts` task, which a builder runs (it restarts each
 * enabled host in turn).
 *
 * @since 0.1.0
 * @category commands
 */
export const restartHosts = Handler.make("restart-hosts", {
  category: "admin",
  summary: "Restart enabled hosts",
  usage: "restart-hosts [options]"
}, {
  ...waitOptions,
  quiet: Options.boolean("quiet").pipe(Options.withDescription("Do not print the task information")),
  force: Options.boolean("force").pipe(Options.withDescription("Ignore checks and force operation")),
  channel: optionalText("channel", "Only hosts in this channel"),
  arch: Options.text("arch").pipe(
    Options.withAlias("a"),
    Options.repeated,
    Options.withDescription("Limit to hosts of this architecture (can be given multiple times)")
  ),
  timeout: Options.integer("timeout").pipe(Options.withPseudoName("N"), Options.optional, Options.withDescription("Time out after N seconds")),
  args: Args.text({ name: "arg" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.args.length > 0) return yield* usageError("restart-hosts does not accept arguments")
    yield* session.activate
    if (!options.force) {
      const others = (yield* session.call("listTasks", {
        opts: { method: "restartHosts", state: [TaskState.FREE, TaskState.OPEN, TaskState.ASSIGNED] }
      })) as ReadonlyArray<{ id: number }>
      if (others.length > 0) {
        yield* warn("Found other restartHosts tasks running.")
        yield* warn(`Task ids: ${Format.repr(others.map((t) => t.id))}`)
        return yield* error("Use --force to run anyway")
      }
    }
    const callopts: Record<string, unknown> = {}
    if (Option.isSome(options.channel)) callopts["channel"] = options.channel.value
    if (options.arch.length > 0) callopts["arches"] = options.arch
    if (Option.isSome(options.timeout) && options.timeout.value) callopts["timeout"] = options.timeout.value
    const given = Object.keys(callopts).length > 0
    // the hub's restartHosts where it has one (Koji's: priority 5), else the same task made directly
    const viaHub = yield* session.connection.pipe(
      Effect.flatMap((c) =>
        session.methods.has("restartHosts")
          ? Effect.map(session.call("restartHosts", given ? { options: callopts } : {}), Option.some)
          : c.callArgs === undefined
          ? Effect.succeedNone
          : Effect.map(c.callArgs("restartHosts", given ? [{ __starstar: true, options: callopts }] : []), Option.some)
      ),
      Effect.catchIf((e) => isFault(e) && e.message.startsWith("Invalid method"), () => Effect.succeedNone)
    )
    const taskId = Option.isSome(viaHub)
      ? Number(viaHub.value)
      : Number(yield* session.call("makeTask", { method: "restartHosts", arglist: given ? [callopts] : [], priority: 5 }))
    if (shouldWait(session, options.wait, options.nowait)) {
      yield* logoutAndWatch([taskId], options.quiet || session.settings.quiet)
    }
  }))

/**
 * The task commands.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands: ReadonlyArray<Handler.Spec> = [
  makeTask,
  listTasksCommand,
  taskinfo,
  watchTask,
  cancel,
  resubmit,
  freeTask,
  assignTask,
  setTaskPriority,
  restartHosts
]
