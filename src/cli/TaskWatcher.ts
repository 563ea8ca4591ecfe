/**
 * Koji's `watch_tasks`, driven by the hub's event stream: the same output
 * (`1208 build (...): free -> open (builder-01)`, the `N free  N open  N done
 * N failed` summary after each task that finishes, the closing lines, exit 1 when
 * a top-level task did not close, and on Ctrl-C the tasks still running) but
 * each change is printed as the hub makes it, not at the next 6-second poll.
 *
 * Where the changes come from, by what the hub offers:
 * - a koji-ts `/api` URL: the typed `events.watch` stream;
 * - a koji-ts `/kojihub` (XML-RPC): `events.list` long-polls (each waits for the next event);
 * - a stock Koji hub (no `events.*` methods): Koji's poll every `poll_interval` seconds.
 *
 * The watcher reads the tree once (after noting the newest event id), then
 * applies each event of the tree: a change from the state it shows is printed;
 * an event it cannot place (one it saw already in the first read) makes it ask
 * the hub for the task, so nothing is printed twice or out of order.
 *
 * @since 0.1.0
 */
import { Chunk, Effect, Exit, Option, Queue, Stream } from "effect"
import * as Fs from "node:fs"
import * as KojiClient from "../client/KojiClient.js"
import { TaskState } from "../domain/Enums.js"
import * as Errors from "../domain/Errors.js"
import * as Connection from "./Connection.js"
import * as Format from "./Format.js"
import { type CliError, error, print, Session, type SessionShape } from "./Session.js"
import { isFinal, stateName, taskLabel } from "./TaskLabel.js"

/**
 * A task as `getTaskInfo(id, request=True)` answers it (wire form).
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskInfo {
  readonly id: number
  readonly state: number
  readonly method: string
  readonly arch: string
  readonly host_id: number | null
  readonly parent: number | null
  readonly owner: number
  readonly request?: unknown
  readonly [key: string]: unknown
}

/**
 * How to watch.
 *
 * @since 0.1.0
 * @category models
 */
export interface WatchOptions {
  readonly quiet: boolean
  /** Koji's `topurl`: where the "Relevant logs" of a failed task are. */
  readonly topurl?: string | null | undefined
  /** Seconds between polls, for a hub without an event stream. */
  readonly pollInterval?: number | undefined
  /** Seconds each `events.list` call waits for the next event (XML-RPC). */
  readonly longPollWait?: number | undefined
}

/**
 * A task state change as the event stream reports it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Change {
  readonly id: number
  readonly task_id: number | null
  readonly parent_id: number | null
  readonly host_id: number | null
  readonly state: number
  readonly old_state: number | null
}

const toChange = (event: {
  readonly id: number
  readonly kind: string
  readonly task_id: number | null
  readonly parent_id: number | null
  readonly host_id: number | null
  readonly data: Readonly<Record<string, unknown>>
}): Option.Option<Change> =>
  event.kind === "task.state" && typeof event.data["state"] === "number"
    ? Option.some({
      id: event.id,
      task_id: event.task_id,
      parent_id: event.parent_id,
      host_id: event.host_id,
      state: event.data["state"],
      old_state: typeof event.data["old_state"] === "number" ? event.data["old_state"] : null
    })
    : Option.none()

/**
 * Where changes come from: `next` waits for the next changes (an empty answer
 * means "nothing yet, ask again").
 *
 * @since 0.1.0
 * @category models
 */
export interface Feed {
  readonly mode: "stream" | "long-poll"
  /** The newest event id when the feed opened: it delivers every change after it. */
  readonly after: number
  readonly next: Effect.Effect<ReadonlyArray<Change>, CliError>
}

/**
 * Whether a fault is a hub's answer to a method it does not have.
 *
 * @since 0.1.0
 * @category combinators
 */
export const isInvalidMethod = (e: unknown): boolean =>
  (Errors.isKojiError(e) || e instanceof Errors.Fault) && (e as { message: string }).message.startsWith("Invalid method")

// the CA to check an HTTPS hub with (anonymous calls need no client certificate)
const tlsOf = (session: SessionShape) => {
  const path = session.settings.serverca
  try {
    return path !== "" && Fs.statSync(path).isFile() ? { cert: "", key: "", ca: Fs.readFileSync(path, "utf8") } : undefined
  } catch {
    return undefined
  }
}

const connectionFailure = (e: unknown) =>
  new Connection.ConnectionError({ message: e instanceof Error ? e.message : String((e as { message?: unknown })?.message ?? e) })

// the typed stream: one `events.watch` per watched tree, on a client of its own
const openStream = (session: SessionShape, roots: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const client = yield* KojiClient.makeHttp({ url: session.settings.server, tls: tlsOf(session) })
    const after = yield* Effect.mapError(client.events.lastId({}), connectionFailure)
    const queue = yield* Queue.unbounded<Exit.Exit<Change, CliError>>()
    const streams = roots.map((task) => client.watch({ after, filter: { task, kinds: ["task.state"] } }))
    const offer = (event: Parameters<typeof toChange>[0]) =>
      Option.match(toChange(event), { onNone: () => Effect.void, onSome: (c) => queue.offer(Exit.succeed(c)) })
    // the stream never ends while the hub is up: its end or failure ends the watch (exit 1)
    yield* Stream.mergeAll(streams, { concurrency: "unbounded" }).pipe(
      Stream.runForEach(offer),
      Effect.zipRight(Effect.fail(connectionFailure("the hub closed the event stream"))),
      Effect.catchAll((e) => queue.offer(Exit.fail(Errors.isKojiError(e) ? e : connectionFailure(e)))),
      Effect.forkScoped
    )
    const next = Effect.gen(function*() {
      const first = yield* queue.take
      const rest = yield* queue.takeAll
      const changes: Array<Change> = []
      for (const item of [first, ...Chunk.toReadonlyArray(rest)]) changes.push(yield* item)
      return changes
    })
    return { mode: "stream", after, next } satisfies Feed
  })

// `events.list` long-polls, on an anonymous connection of its own (a wait must not hold a logged-in session's
// transaction); none when the hub has no event stream
const openLongPoll = (session: SessionShape, roots: ReadonlyArray<number>, wait: number) =>
  Effect.gen(function*() {
    const connection = yield* session.environment.connect({
      url: session.settings.server,
      api: session.environment.api,
      tls: tlsOf(session)
    }).pipe(Effect.mapError((e) => new Connection.ConnectionError({ message: e.message })))
    const first = yield* connection.call("events.lastId", {}).pipe(
      Effect.map(Option.some),
      Effect.catchIf(isInvalidMethod, () => Effect.succeedNone)
    )
    if (Option.isNone(first)) return undefined
    let cursor = Number(first.value)
    // one tree: the hub follows it; several: every task change, sorted out here
    const filter = roots.length === 1 ? { task: roots[0]!, kinds: ["task.state"] } : { kinds: ["task.state"] }
    // each call asks for what comes after the newest id seen so far
    const next = Effect.suspend(() => connection.call("events.list", { after: cursor, filter, limit: 1000, wait })).pipe(
      Effect.map((page) => {
        const { events, last } = page as { events: ReadonlyArray<Parameters<typeof toChange>[0]>; last: number }
        cursor = Math.max(cursor, last)
        return events.flatMap((e) => Option.toArray(toChange(e)))
      })
    )
    return { mode: "long-poll", after: cursor, next } satisfies Feed
  })

/**
 * The change feed the hub offers: the typed stream over `/api`, `events.list`
 * long-polls over XML-RPC, none for a hub without an event stream.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openFeed = (roots: ReadonlyArray<number>, longPollWait = 30) =>
  Effect.gen(function*() {
    const session = yield* Session
    const connection = yield* session.connection
    if (connection.protocol === "api" && Connection.isTypedApi(session.settings.server)) {
      return yield* openStream(session, roots)
    }
    return yield* openLongPoll(session, roots, longPollWait)
  })

interface Watched {
  readonly id: number
  readonly level: number
  readonly label: string
  state: number
  hostId: number | null
  /** What `display_state` shows for the current state. */
  display: string
}

/**
 * Koji's `watch_tasks(session, tasklist, quiet, poll_interval, topurl)`: answers
 * the exit code (1 when a top-level task did not close). Ctrl-C prints the tasks
 * still running.
 *
 * @since 0.1.0
 * @category combinators
 */
export const watchTasks = (
  tasklist: ReadonlyArray<number>,
  options: WatchOptions
): Effect.Effect<number, CliError, Session> =>
  Effect.gen(function*() {
    // each task once; a task given is watched at the top level even when it is another's child (as Koji)
    const taskIds = [...new Set(tasklist)]
    const roots = new Set(taskIds)
    if (taskIds.length === 0) return 0
    const session = yield* Session
    const quiet = options.quiet
    const say = (line: string) => (quiet ? Effect.void : print(line))
    const tasks = new Map<number, Watched>()
    const hosts = new Map<number, string>()

    const hostName = (id: number) =>
      Effect.gen(function*() {
        const known = hosts.get(id)
        if (known !== undefined) return known
        const host = (yield* session.call("getHost", { hostInfo: id })) as { name: string } | null
        const name = host?.name ?? String(id)
        hosts.set(id, name)
        return name
      })

    const failure = (taskId: number) =>
      session.call("getTaskResult", { taskId }).pipe(
        Effect.as(""),
        Effect.catchIf(
          (e): e is Errors.AnyFault => Errors.isKojiError(e) || e instanceof Errors.Fault,
          (e) =>
            Effect.succeed(
              e._tag === "Fault"
                ? `Fault: <Fault ${(e as Errors.Fault).faultCode}: ${Format.repr(e.message)}>`
                : `${e._tag}: ${e.message.trim()}`
            )
        )
      )

    // "Relevant logs" of a failed task, where the hub can list a task's files
    const relevantLogs = (taskId: number, level: number) =>
      Effect.gen(function*() {
        if (!options.topurl) return ""
        const listed = yield* listTaskOutput(session, taskId)
        const files = Object.entries(listed).flatMap(([name, volumes]) =>
          name.endsWith("log") ? volumes.map((volume) => [name, volume] as const) : []
        )
        if (files.length === 0) return ""
        const indent = "  ".repeat(level + 1)
        const logs = files.map(([name, volume]) => `${indent}${taskDir(options.topurl!, taskId, volume)}/${name}`)
        return `\n${indent}Relevant logs:\n${logs.join("\n")}`
      })

    const display = (task: { readonly id: number; readonly state: number; readonly hostId: number | null }, level = 0) =>
      Effect.gen(function*() {
        const name = stateName(task.state)
        if (task.state === TaskState.OPEN || task.state === TaskState.ASSIGNED) {
          return task.hostId ? `${name.toLowerCase()} (${yield* hostName(task.hostId)})` : name.toLowerCase()
        }
        if (task.state === TaskState.FAILED) {
          return `FAILED: ${yield* failure(task.id)}${yield* relevantLogs(task.id, level)}`
        }
        return name.toLowerCase()
      })

    const str = (task: Watched) => `${"  ".repeat(task.level)}${task.id} ${task.label}`

    const summary = Effect.suspend(() => {
      let free = 0, open = 0, done = 0, failed = 0
      for (const task of tasks.values()) {
        if (task.state === TaskState.FAILED) failed++
        else if (task.state === TaskState.CLOSED || task.state === TaskState.CANCELED) done++
        else if (task.state === TaskState.OPEN || task.state === TaskState.ASSIGNED) open++
        else if (task.state === TaskState.FREE) free++
      }
      return say(`  ${free} free  ${open} open  ${done} done  ${failed} failed`)
    })

    // first sighting: `<id> <label>: <state>`
    const add = (info: TaskInfo, level: number, current?: { readonly state: number; readonly hostId: number | null }) =>
      Effect.gen(function*() {
        if (tasks.has(info.id)) return
        const task: Watched = {
          id: info.id,
          level,
          label: taskLabel(info),
          state: current?.state ?? info.state,
          hostId: current === undefined ? info.host_id : current.hostId,
          display: ""
        }
        tasks.set(task.id, task)
        task.display = yield* display(task, level)
        yield* say(`${str(task)}: ${task.display}`)
      })

    // a change of state: `<id> <label>: <old> -> <new>`, and the summary when the task just finished
    const moveTo = (task: Watched, state: number, hostId: number | null) =>
      Effect.gen(function*() {
        if (isFinal(task.state)) return
        const hostChanged = hostId !== task.hostId
        task.hostId = hostId
        if (state === task.state) {
          if (hostChanged) task.display = yield* display(task)
          return
        }
        const before = task.display
        task.state = state
        task.display = yield* display(task)
        yield* say(`${str(task)}: ${before} -> ${task.display}`)
        if (isFinal(state)) yield* summary
      })

    const getInfo = (id: number) =>
      Effect.map(session.call("getTaskInfo", { task_id: id, request: true }), (info) => info as TaskInfo | null)

    const refresh = (task: Watched) =>
      Effect.gen(function*() {
        const info = yield* getInfo(task.id)
        if (info !== null) yield* moveTo(task, info.state, info.host_id)
      })

    const start = (id: number) =>
      Effect.gen(function*() {
        const info = yield* getInfo(id)
        if (info === null) {
          yield* say(`No such task id: ${id}`)
          return yield* error(undefined, 1)
        }
        return info
      })

    const allDone = () => [...tasks.values()].every((t) => isFinal(t.state))

    // Koji's loop: look at every task and its children, then wait `poll_interval`
    const poll = Effect.gen(function*() {
      for (const id of taskIds) yield* add(yield* start(id), 0)
      while (true) {
        let done = true
        for (const task of [...tasks.values()]) {
          yield* refresh(task)
          if (!isFinal(task.state)) done = false
          const children = (yield* session.call("getTaskChildren", { task_id: task.id, request: true })) as ReadonlyArray<
            TaskInfo
          >
          for (const child of children) {
            if (tasks.has(child.id) || roots.has(child.id)) continue
            yield* add(child, task.level + 1)
            done = false
          }
        }
        if (done) return
        yield* Effect.sleep(`${options.pollInterval ?? 6} seconds`)
      }
    })

    // a change from the feed
    const apply = (change: Change) =>
      Effect.gen(function*() {
        if (change.task_id === null) return
        const task = tasks.get(change.task_id)
        if (task === undefined) {
          // a new child of a watched task
          const parent = change.parent_id === null ? undefined : tasks.get(change.parent_id)
          if (parent === undefined) return
          const info = yield* getInfo(change.task_id)
          if (info === null) return
          const made = change.old_state === null
          return yield* add(info, parent.level + 1, made ? { state: change.state, hostId: change.host_id } : undefined)
        }
        if (isFinal(task.state)) return
        if (change.state === task.state || change.old_state === task.state) {
          return yield* moveTo(task, change.state, change.host_id)
        }
        // a change already seen in the first read (or one that cannot be placed): ask the hub
        yield* refresh(task)
      })

    const follow = (feed: Feed) =>
      Effect.gen(function*() {
        // the trees as they are now, then every change after `feed.after`
        for (const id of taskIds) {
          if (tasks.has(id)) continue
          yield* add(yield* start(id), 0)
          const tree = (yield* session.call("getTaskDescendents", { task_id: id, request: true })) as Readonly<
            Record<string, ReadonlyArray<TaskInfo>>
          >
          const walk = (parent: number, level: number): Effect.Effect<void, CliError> =>
            Effect.forEach(
              [...(tree[String(parent)] ?? [])].filter((c) => !roots.has(c.id)).sort((a, b) => a.id - b.id),
              (child) => Effect.zipRight(add(child, level), walk(child.id, level + 1)),
              { discard: true }
            )
          yield* walk(id, 1)
        }
        while (!allDone()) {
          for (const change of yield* feed.next) yield* apply(change)
        }
      })

    const interrupted = Effect.suspend(() => {
      if (quiet || tasks.size === 0) return Effect.void
      const running = [...tasks.values()].filter((t) => !isFinal(t.state)).map((t) => `${str(t)}: ${t.display}`)
      return print(
        `Tasks still running. You can continue to watch with the '${session.environment.progname} watch-task' command.\n` +
          `Running Tasks:\n${running.join("\n")}`
      )
    })

    yield* say("Watching tasks (this may be safely interrupted)...")
    const run = Effect.gen(function*() {
      const feed = yield* openFeed(taskIds, options.longPollWait ?? 30)
      yield* feed === undefined ? poll : follow(feed)
    }).pipe(Effect.scoped)
    // Ctrl-C interrupts the command: Koji's message, then exit 1
    yield* Effect.onInterrupt(run, () => interrupted)

    let rv = 0
    const top = taskIds.map((id) => tasks.get(id)).filter((t): t is Watched => t !== undefined && t.level === 0)
    for (const task of top) if (task.state !== TaskState.CLOSED) rv = 1
    if (!quiet) {
      yield* print("")
      for (const task of top) {
        const outcome = task.state === TaskState.CLOSED
          ? "completed successfully"
          : task.state === TaskState.FAILED
          ? "failed"
          : task.state === TaskState.CANCELED
          ? "was canceled"
          : "has not completed"
        yield* print(`${str(task)} ${outcome}`)
      }
    }
    return rv
  })

/**
 * Koji's `pathinfo.task(task_id, volume)` under a top URL or directory.
 *
 * @since 0.1.0
 * @category formatting
 */
export const taskDir = (top: string, taskId: number, volume = "DEFAULT"): string => {
  const base = volume === "DEFAULT" || volume === "" ? top : `${top}/vol/${volume}`
  return `${base}/work/tasks/${taskId % 10000}/${taskId}`
}

/**
 * Call a method the hub may not have (a stock Koji's method this CLI does not
 * define, or a Koji method koji-ts has not): by name where this CLI knows it,
 * else with Koji's wire arguments where the transport can send any call; none
 * when neither, or when the hub answers "Invalid method".
 *
 * @since 0.1.0
 * @category combinators
 */
export const optionalCall = (
  session: SessionShape,
  method: string,
  payload: Readonly<Record<string, unknown>>,
  wireArgs: ReadonlyArray<unknown>
): Effect.Effect<Option.Option<unknown>, CliError> =>
  Effect.gen(function*() {
    if (session.methods.has(method)) return Option.some(yield* session.call(method, payload))
    const connection = yield* session.connection
    if (connection.callArgs === undefined) return Option.none()
    return Option.some(yield* connection.callArgs(method, wireArgs))
  }).pipe(Effect.catchIf(isInvalidMethod, () => Effect.succeedNone))

/**
 * Koji's `list_task_output_all_volumes`: a task's files and their volumes, where
 * the hub has `listTaskOutput` (empty where it has not).
 *
 * @since 0.1.0
 * @category combinators
 */
export const listTaskOutput = (
  session: SessionShape,
  taskId: number
): Effect.Effect<Readonly<Record<string, ReadonlyArray<string>>>, CliError> =>
  Effect.map(
    optionalCall(session, "listTaskOutput", { taskID: taskId, all_volumes: true }, [taskId, {
      __starstar: true,
      all_volumes: true
    }]),
    (listed) => (Option.getOrNull(listed) ?? {}) as Record<string, ReadonlyArray<string>>
  )
