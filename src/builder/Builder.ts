/**
 * The builder daemon (Koji's kojid, reference 5.7) with every poll replaced by
 * a push: it logs in as a host with an exclusive session, reports its load,
 * readiness and methods, hears of its assignments through the event stream the
 * moment the scheduler makes them (polling only as a fallback), runs each task
 * in its own fiber, working directory and task subsession within its capacity
 * and `maxjobs`, refuses what it has no handler for, hears of a cancel at once
 * and interrupts the handler, and when stopped takes no more work and hands
 * back what it cannot finish.
 *
 * @since 0.1.0
 */
import { Cause, Duration, Effect, Exit, Fiber, FiberMap, Option, Queue, Ref, Schedule, type Scope, Stream } from "effect"
import { createReadStream, createWriteStream } from "node:fs"
import { appendFile, mkdir, open, readdir, rm } from "node:fs/promises"
import * as path from "node:path"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import type * as KojiClient from "../client/KojiClient.js"
import { TaskState } from "../domain/Enums.js"
import * as Errors from "../domain/Errors.js"
import type { Task } from "../domain/Task.js"
import * as TaskRequest from "../hub/TaskRequest.js"
import * as Paths from "../storage/Paths.js"
import { localArch } from "./Arch.js"
import { Registry } from "./Registry.js"
import * as TaskHandler from "./TaskHandler.js"

/**
 * How a builder runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The host's name (its user on the hub). */
  readonly hostname: string
  /** A new client to the hub (the daemon makes one for itself and one per task subsession). */
  readonly client: Effect.Effect<KojiClient.Client, never, Scope.Scope>
  /** Log the daemon's client in as the host (password or certificate). */
  readonly login: (client: KojiClient.Client) => Effect.Effect<unknown, unknown>
  /** Where task directories go (`<workdir>/tasks/<id % 10000>/<id>`). */
  readonly workdir: string
  /** Tasks run at once (kojid's `maxjobs`, default 10). */
  readonly maxjobs?: number | undefined
  /** Heartbeat (`host.updateHost`) period; default 15 s. */
  readonly heartbeat?: Duration.DurationInput | undefined
  /** Fallback poll for assignments, in case an event was missed; default 30 s. */
  readonly pollInterval?: Duration.DurationInput | undefined
  /** Take the exclusive session from a previous instance (kojid's `--force-lock`). */
  readonly forceLock?: boolean | undefined
  /** The arch of the machine (default: this one's). */
  readonly arch?: string | undefined
  /** The hub's file URL (`http://hub/kojifiles`, Koji's `topurl`), where tasks fetch `work/` and `packages/` files. */
  readonly topurl?: string | undefined
  /** Fetch a topdir file another way than over `topurl` (an embedding with the store at hand). */
  readonly download?: ((path: string) => Stream.Stream<Uint8Array, unknown>) | undefined
}

// a topdir file to a local file: the embedding's own way, or HTTP from topurl
const fetchTo = (options: Options, from: string, file: string): Effect.Effect<void, Errors.KojiError> => {
  const failed = (e: unknown) =>
    new Errors.GenericError({ message: `cannot fetch ${from}: ${e instanceof Error ? e.message : String(e)}` })
  if (options.download !== undefined) {
    return options.download(from).pipe(
      Stream.toReadableStream,
      (readable) => Effect.tryPromise({
        try: () => pipeline(Readable.fromWeb(readable as any), createWriteStream(file)),
        catch: failed
      })
    )
  }
  const topurl = options.topurl
  if (topurl === undefined) return Effect.fail(failed(new Error("the builder has no topurl")))
  return Effect.tryPromise({
    try: async (signal) => {
      const response = await fetch(`${topurl.replace(/\/+$/, "")}/${from.split("/").map(encodeURIComponent).join("/")}`, { signal })
      if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`)
      await pipeline(Readable.fromWeb(response.body as any), createWriteStream(file))
    },
    catch: failed
  })
}

// how often a running task's logs go to the hub
const logSyncInterval = Duration.seconds(1)

interface Running {
  readonly id: number
  readonly weight: number
}

/**
 * Run a builder until the scope closes (then it hands its tasks back and logs out).
 *
 * @since 0.1.0
 * @category constructors
 */
export const run = (options: Options): Effect.Effect<void, Errors.KojiError, Scope.Scope | Registry> =>
  Effect.gen(function*() {
    const registry = yield* Registry
    const maxjobs = options.maxjobs ?? 10
    const methods = [...registry.keys()].sort()
    const main = yield* options.client
    yield* Effect.mapError(options.login(main), TaskHandler.hubFailure)
    // the daemon's own calls go one at a time (its call numbers must arrive in order)
    const lock = yield* Effect.makeSemaphore(1)
    const call = <A, E>(effect: Effect.Effect<A, E>) => lock.withPermits(1)(Effect.mapError(effect, TaskHandler.hubFailure))
    yield* call(main.exclusiveSession({ force: options.forceLock ?? false }))
    const hostId = yield* call(main.host.getID({}))
    const state = yield* Ref.make({ stopping: false, restartPending: false, capacity: 2 })
    const running = new Map<number, Running>()
    const fibers = yield* FiberMap.make<number>()
    // what to look at: tasks the event stream said were assigned here, or "poll" (ask the hub)
    const wake = yield* Queue.unbounded<ReadonlyArray<{ readonly id: number; readonly method: string }> | "poll">()
    let skipped = false
    let startTs = Date.now() / 1000

    const taskLoad = () => [...running.values()].reduce((sum, t) => sum + t.weight, 0)

    // the host's capacity, as the admin set it (read with each heartbeat)
    const refreshCapacity = Effect.flatMap(call(main.host.getHost({})), (host: any) =>
      Ref.update(state, (s) => ({ ...s, capacity: Number(host.capacity) })))

    const report = Effect.gen(function*() {
      const s = yield* Ref.get(state)
      const load = taskLoad()
      const ready = !s.stopping && !s.restartPending && running.size < maxjobs && load < s.capacity
      yield* call(main.host.updateHost({ task_load: load, ready, data: { methods, maxjobs } }))
      return ready
    })

    const taskdir = (id: number) => path.join(options.workdir, "tasks", String(id % 10000), String(id))

    // a client on a subsession, its calls one at a time
    const uploaderFor = (login: any) =>
      Effect.gen(function*() {
        const client = yield* options.client
        yield* client.useSession({ id: login["session-id"], key: login["session-key"], callnum: 0 })
        yield* Effect.addFinalizer(() => Effect.catchAllCause(client.logout({}), () => Effect.void))
        const semaphore = yield* Effect.makeSemaphore(1)
        return { client, lock: semaphore.withPermits(1) }
      })

    // one task, on its own subsession, in its own directory
    const runTask = (task: Task, handler: TaskHandler.TaskHandler) =>
      Effect.scoped(Effect.gen(function*() {
        const id = task.id
        const login: any = yield* call(main.subsession({}))
        const hub = yield* options.client
        yield* hub.useSession({ id: login["session-id"], key: login["session-key"], callnum: 0 })
        yield* Effect.addFinalizer(() => Effect.catchAllCause(hub.logout({}), () => Effect.void))
        const dir = taskdir(id)
        const logDir = path.join(dir, "logs")
        yield* Effect.promise(() => rm(dir, { recursive: true, force: true }).then(() => mkdir(logDir, { recursive: true })))
        yield* Effect.addFinalizer(() => Effect.promise(() => rm(dir, { recursive: true, force: true })))
        const hubCall = <A, E>(effect: Effect.Effect<A, E>) => Effect.mapError(effect, TaskHandler.hubFailure)
        // uploads go on a session of their own, one at a time, beside the handler's calls
        const uploads = yield* uploaderFor(yield* call(main.subsession({})))
        const uploadPath = Paths.taskUpload(id)
        const sent = new Map<string, number>()
        const syncLogs = uploads.lock(Effect.gen(function*() {
          const names = yield* Effect.promise(() => readdir(logDir).catch(() => [] as Array<string>))
          for (const name of names.sort()) {
            const from = sent.get(name) ?? 0
            const data = yield* Effect.promise(() => readFrom(path.join(logDir, name), from))
            if (data.length === 0) continue
            yield* hubCall(uploads.client.upload({ path: uploadPath, name, data, offset: from, overwrite: true }))
            sent.set(name, from + data.length)
          }
        }))
        yield* syncLogs.pipe(
          Effect.catchAllCause((cause) => Effect.logDebug(`task ${id}: log upload failed`, cause)),
          Effect.repeat(Schedule.spaced(logSyncInterval)),
          Effect.forkScoped
        )
        const finalSync = Effect.catchAllCause(syncLogs, (cause) => Effect.logWarning(`task ${id}: log upload failed`, cause))
        const ctx: TaskHandler.TaskContext = {
          id,
          method: task.method,
          info: task,
          workdir: dir,
          logDir,
          uploadPath,
          upload: (file, name) =>
            Effect.as(
              uploads.lock(hubCall(uploads.client.upload({
                path: uploadPath,
                name: name ?? path.basename(file),
                data: Stream.fromAsyncIterable(createReadStream(file), (e) => e),
                overwrite: true
              }))),
              `${uploadPath}/${name ?? path.basename(file)}`
            ),
          download: (from, file) => fetchTo(options, from, file),
          hub,
          host: { id: hostId, name: options.hostname, arch: options.arch ?? localArch },
          log: (line) =>
            Effect.zipRight(
              Effect.logInfo(line).pipe(Effect.annotateLogs({ task: id, method: task.method })),
              Effect.promise(() => appendFile(path.join(logDir, "task.log"), `${line}\n`).catch(() => undefined))
            ),
          subtask: (method, arglist, opts = {}) =>
            hubCall(hub.host.subtask({
              method,
              arglist,
              parent: id,
              label: opts.label ?? null,
              arch: opts.arch ?? null,
              channel: opts.channel ?? null,
              priority: opts.priority ?? null,
              assign: opts.assign ?? null,
              kwargs: opts.kwargs ?? null
            })),
          wait: (opts = {}) => waitFor(hub, id, opts),
          daemon: {
            get startTs() {
              return startTs
            },
            requestRestart: Ref.update(state, (s) => ({ ...s, restartPending: true }))
          }
        }
        const decoded = yield* TaskRequest.decodeRequest(typeof task.request === "string" ? task.request : "")
        const last = decoded[decoded.length - 1] as Record<string, unknown> | undefined
        const hasKwargs = typeof last === "object" && last !== null && !Array.isArray(last) && last.__starstar === true
        const args = hasKwargs ? decoded.slice(0, -1) : decoded
        const { __starstar: _, ...kwargs } = hasKwargs ? last! : {}
        const exit = yield* Effect.exit(handler.run(args, kwargs, ctx))
        if (!Exit.isInterrupted(exit)) yield* finalSync
        if (Exit.isSuccess(exit)) {
          const document = yield* TaskRequest.encodeResult(exit.value ?? null)
          yield* hubCall(hub.host.closeTask({ task_id: id, response: document }))
          return
        }
        if (Cause.isInterruptedOnly(exit.cause)) return yield* Effect.interrupt
        const failure = Cause.failureOption(exit.cause)
        const error = Option.getOrUndefined(failure)
        if (error instanceof TaskHandler.RefuseTask) {
          yield* call(main.host.refuseTask({ task_id: id, soft: true, msg: error.message }))
        } else if (error instanceof TaskHandler.ServerRestart) {
          yield* call(main.host.freeTasks({ tasks: [id] }))
        } else if (error instanceof TaskHandler.ServerExit) {
          yield* hubCall(hub.host.closeTask({ task_id: id, response: yield* TaskRequest.encodeResult(null) }))
          yield* Ref.update(state, (s) => ({ ...s, stopping: true }))
        } else {
          const fault = error === undefined
            ? { code: 1000, text: Cause.pretty(exit.cause) }
            : (error as any)._tag === "ParseError"
            ? { code: 1019, text: `ParameterError: ${String((error as any).message)}` }
            : (() => {
              const f = Errors.faultOf(error as Errors.KojiError)
              return { code: f.faultCode, text: f.faultString }
            })()
          yield* ctx.log(`task failed: ${fault.text}`)
          yield* finalSync
          yield* hubCall(hub.host.failTask({ task_id: id, response: TaskRequest.encodeFailure(fault.code, fault.text) }))
        }
      }))

    // take the tasks the scheduler assigned to this host, as capacity allows
    const take = (hint: ReadonlyArray<{ readonly id: number; readonly method: string }> | "poll") =>
      Effect.gen(function*() {
        const s = yield* Ref.get(state)
        if (s.stopping || s.restartPending) return
        const candidates = hint === "poll" ? yield* call(main.host.getTasks({})) : hint
        let changed = false
        for (const task of candidates) {
          if (running.has(task.id)) continue
          const handler = registry.get(task.method)
          if (handler === undefined) {
            yield* call(main.host.refuseTask({ task_id: task.id, soft: false, msg: `no handler for method ${task.method}` }))
            continue
          }
          if (running.size >= maxjobs || (running.size > 0 && taskLoad() + handler.weight > s.capacity + 5)) {
            skipped = true
            break
          }
          const opened = yield* call(main.host.openTask({ task_id: task.id }))
          if (opened === null) continue
          changed = true
          running.set(task.id, { id: task.id, weight: handler.weight })
          const work = Effect.zipRight(
            call(main.host.setTaskWeight({ task_id: task.id, weight: handler.weight })),
            runTask(opened, handler)
          ).pipe(
            Effect.catchAllCause((cause) =>
              Cause.isInterruptedOnly(cause) ? Effect.void : Effect.logError(`task ${task.id} failed to finish`, cause)
            ),
            Effect.ensuring(Effect.suspend(() => {
              running.delete(task.id)
              const again = skipped
              skipped = false
              return Effect.zipRight(Effect.ignore(report), again ? wake.offer("poll") : Effect.void)
            }))
          )
          if (handler.foreground) {
            // Koji's foreground tasks run in the daemon's own loop
            yield* work
          } else {
            yield* FiberMap.run(fibers, task.id, work)
          }
        }
        if (changed) yield* report
      })

    // a graceful restart once idle: a new session and start time (what `restartVerify` checks)
    const restartIfPending = Effect.gen(function*() {
      const s = yield* Ref.get(state)
      if (!s.restartPending || running.size > 0) return
      yield* Effect.logInfo(`builder ${options.hostname}: restarting`)
      yield* call(main.logout({}))
      yield* Effect.mapError(options.login(main), TaskHandler.hubFailure)
      yield* call(main.exclusiveSession({ force: true }))
      startTs = Date.now() / 1000
      yield* Ref.update(state, (s) => ({ ...s, restartPending: false }))
      yield* report
      yield* wake.offer("poll")
    })

    // the assignments and cancels of this host, as they happen
    const after = yield* call(main.events.lastId({}))
    const background: Array<Fiber.RuntimeFiber<unknown, unknown>> = []
    const watcher = yield* main.watch({ after, filter: { host: hostId, kinds: ["task.state"] } }).pipe(
      Stream.runForEach((event) => {
        const taskId = event.task_id
        const next = event.data.state
        if (next === TaskState.ASSIGNED && taskId !== null) {
          return wake.offer([{ id: taskId, method: String(event.data.method) }])
        }
        // canceled, or taken away (freed, reassigned): stop the handler
        if (taskId !== null && running.has(taskId) && next !== TaskState.OPEN) {
          return FiberMap.remove(fibers, taskId)
        }
        return Effect.void
      }),
      Effect.catchAllCause((cause) => Effect.logWarning("builder: event stream ended", cause)),
      Effect.forkScoped
    )
    background.push(watcher)

    yield* refreshCapacity
    yield* report
    background.push(
      yield* wake.offer("poll").pipe(
        Effect.repeat(Schedule.spaced(options.pollInterval ?? "30 seconds")),
        Effect.forkScoped
      ),
      yield* Effect.ignore(Effect.zipRight(refreshCapacity, report)).pipe(
        Effect.repeat(Schedule.spaced(options.heartbeat ?? "15 seconds")),
        Effect.forkScoped
      )
    )

    const loop = wake.take.pipe(
      Effect.flatMap(take),
      Effect.zipRight(restartIfPending),
      Effect.catchAll((e) => Effect.logWarning(`builder: ${e.message}`)),
      Effect.forever
    )
    background.push(yield* Effect.forkScoped(loop))

    // stopping: take nothing more, hand back what runs, say so, log out
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        yield* Ref.update(state, (s) => ({ ...s, stopping: true }))
        yield* Fiber.interruptAll(background)
        const unfinished = [...running.keys()]
        yield* FiberMap.clear(fibers)
        // best effort: the hub may be going away too (an in-process client cannot call from a closing scope)
        const quietly = <A, E>(effect: Effect.Effect<A, E>) => Effect.catchAllCause(effect, () => Effect.void)
        if (unfinished.length > 0) yield* quietly(call(main.host.freeTasks({ tasks: unfinished })))
        yield* quietly(call(main.host.updateHost({ task_load: 0, ready: false })))
        yield* quietly(call(main.logout({})))
      })
    )
    yield* Effect.logInfo(`builder ${options.hostname} (host ${hostId}) ready for ${methods.join(" ")}`)
  })

// Koji's BaseTaskHandler.wait, woken by the event stream instead of a signal
const waitFor = (hub: KojiClient.Client, parent: number, opts: TaskHandler.WaitOptions) =>
  Effect.scoped(Effect.gen(function*() {
    const call = <A, E>(effect: Effect.Effect<A, E>) => Effect.mapError(effect, TaskHandler.hubFailure)
    const tasks = opts.tasks === undefined ? null : typeof opts.tasks === "number" ? [opts.tasks] : [...opts.tasks]
    const checked = new Set(opts.canfail ?? [])
    // hear of every child change from here on, then look
    const after = yield* call(hub.events.lastId({}))
    const changes = yield* Queue.sliding<void>(1)
    yield* hub.watch({ after, filter: { task: parent, kinds: ["task.state"] } }).pipe(
      Stream.runForEach((e) => e.task_id !== parent ? changes.offer(undefined) : Effect.void),
      Effect.ignore,
      Effect.forkScoped
    )
    yield* call(hub.host.taskSetWait({ parent, tasks }))
    const start = Date.now()
    const timeout = opts.timeout === undefined ? undefined : Duration.toMillis(Duration.decode(opts.timeout))
    let finished: ReadonlyArray<number> = []
    while (true) {
      const [done, unfinished] = yield* call(hub.host.taskWait({ parent }))
      finished = done
      if (unfinished.length === 0) break
      if (finished.length > 0) {
        if (!opts.all) break
        if (opts.failany) {
          for (const task of finished) {
            if (checked.has(task)) continue
            const outcome = yield* Effect.either(call(hub.getTaskResult({ taskId: task })))
            if (outcome._tag === "Left") {
              yield* call(hub.cancelTaskChildren({ task_id: parent }))
              return yield* Effect.fail(outcome.left)
            }
            checked.add(task)
          }
        }
      }
      const remaining = timeout === undefined ? 60_000 : Math.max(0, start + timeout - Date.now())
      // the next child change (or a slow re-check, should an event be lost)
      yield* Effect.timeoutOption(changes.take, Duration.millis(remaining))
      if (timeout !== undefined && Date.now() - start > timeout) {
        yield* call(hub.cancelTaskChildren({ task_id: parent }))
        return yield* new Errors.GenericError({
          message: `Subtasks timed out after ${((Date.now() - start) / 1000).toFixed(1)} seconds`
        })
      }
    }
    const results = yield* call(hub.host.taskWaitResults({
      parent,
      tasks: opts.all ? tasks : finished,
      canfail: opts.canfail ?? null
    }))
    return Object.fromEntries(results) as Record<number, unknown>
  }))

// the bytes of a file from `offset` to its current end
const readFrom = async (file: string, offset: number): Promise<Uint8Array> => {
  const handle = await open(file, "r").catch(() => undefined)
  if (handle === undefined) return new Uint8Array(0)
  try {
    const { size } = await handle.stat()
    if (size <= offset) return new Uint8Array(0)
    const buffer = Buffer.alloc(size - offset)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}
