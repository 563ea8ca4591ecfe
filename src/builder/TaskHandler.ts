/**
 * Task handlers: what a builder runs for a task method (Koji's
 * `BaseTaskHandler`). A handler names its Koji methods, its weight, how its
 * arguments decode, and an Effect that gets a {@link TaskContext} to spawn
 * subtasks, wait for them, write logs and call the hub.
 *
 * ```ts
 * const sleep = TaskHandler.make({
 *   methods: ["sleep"],
 *   weight: 0.25,
 *   params: Schema.Tuple(Schema.Number),
 *   handler: ([n], ctx) => Effect.zipRight(ctx.log(`Sleeping for ${n} seconds`), Effect.sleep(`${n} seconds`))
 * })
 * ```
 *
 * @since 0.1.0
 */
import { type Context, Data, type Duration, Effect, type ParseResult, Schema } from "effect"
import type * as KojiClient from "../client/KojiClient.js"
import * as Errors from "../domain/Errors.js"
import type { Task } from "../domain/Task.js"

/**
 * Raised by a handler to give the task back for another host (Koji's `RefuseTask`, a soft refusal).
 *
 * @since 0.1.0
 * @category errors
 */
export class RefuseTask extends Data.TaggedError("RefuseTask")<{ readonly message: string }> {}

/**
 * Raised by a handler to hand its task back while the daemon restarts (Koji's `ServerRestart`).
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerRestart extends Data.TaggedError("ServerRestart")<{}> {}

/**
 * Raised by a foreground handler to stop the daemon (Koji's `ServerExit`, the `shutdown` task).
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerExit extends Data.TaggedError("ServerExit")<{}> {}

/**
 * What a handler may fail with: a Koji fault (stored as the task's fault), or a daemon signal.
 *
 * @since 0.1.0
 * @category errors
 */
export type TaskError = Errors.KojiError | RefuseTask | ServerRestart | ServerExit

/**
 * What a hub call failed with, as a Koji fault (a transport error becomes a `GenericError`).
 *
 * @since 0.1.0
 * @category errors
 */
export const hubFailure = (e: unknown): Errors.KojiError =>
  Errors.isKojiError(e)
    ? e
    : new Errors.GenericError({ message: e instanceof Error ? e.message : String((e as { message?: unknown })?.message ?? e) })

/**
 * Options of `wait` (Koji's `BaseTaskHandler.wait`).
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitOptions {
  /** The children to wait for (default: all of them). */
  readonly tasks?: ReadonlyArray<number> | number | undefined
  /** Wait for all (default: return when any finishes). */
  readonly all?: boolean | undefined
  /** With `all`: the first failure cancels the other children and fails the wait. */
  readonly failany?: boolean | undefined
  /** Children that may fail without failing the wait (their result is the fault struct). */
  readonly canfail?: ReadonlyArray<number> | undefined
  /** Cancel the children and fail after this long. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * Options of a subtask.
 *
 * @since 0.1.0
 * @category models
 */
export interface SubtaskOptions {
  readonly label?: string | undefined
  readonly arch?: string | undefined
  readonly channel?: string | number | undefined
  readonly priority?: number | undefined
  /** Assign to this host at once. */
  readonly assign?: number | string | undefined
  readonly kwargs?: Readonly<Record<string, unknown>> | undefined
}

/**
 * What a running handler can do.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskContext {
  readonly id: number
  readonly method: string
  /** The task as `host.openTask` answered it. */
  readonly info: Task
  /** The task's own directory (`workdir/tasks/<id % 10000>/<id>`), made fresh and removed after. */
  readonly workdir: string
  /**
   * The task's log directory (inside `workdir`): every file in it is uploaded to the task's
   * output as it grows, about once a second and once more when the task ends (Koji's
   * incremental log upload). `task.log` is one of them.
   */
  readonly logDir: string
  /** The task's output directory on the hub, relative to `work/` (`tasks/<id % 10000>/<id>`). */
  readonly uploadPath: string
  /** Upload a local file into the task's output (as `name`, its base name by default); answers its path under `work/`. */
  readonly upload: (file: string, name?: string) => Effect.Effect<string, TaskError>
  /** Fetch a file of the hub's topdir (`work/...`, `packages/...`) into a local file. */
  readonly download: (path: string, file: string) => Effect.Effect<void, TaskError>
  /** A client on the task's own subsession (Koji's task session). */
  readonly hub: KojiClient.Client
  /** This host, and the arch of the machine it runs on. */
  readonly host: { readonly id: number; readonly name: string; readonly arch: string }
  /** Create a child task; answers its id (restart-safe with a label). */
  readonly subtask: (method: string, arglist: ReadonlyArray<unknown>, options?: SubtaskOptions) => Effect.Effect<number, TaskError>
  /** Wait for children (Koji's semantics); answers their results by id. */
  readonly wait: (options?: WaitOptions) => Effect.Effect<Record<number, unknown>, TaskError>
  /** Append a line to the task's log (`task.log` in the log directory). */
  readonly log: (line: string) => Effect.Effect<void>
  /** The daemon: ask for a graceful restart, its start time (epoch seconds). */
  readonly daemon: {
    readonly startTs: number
    readonly requestRestart: Effect.Effect<void>
  }
}

/**
 * A task handler; `R` is what it needs (a builder registers only handlers whose needs are met:
 * see `provide`).
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskHandler<R = never> {
  /** Koji method names it serves. */
  readonly methods: ReadonlyArray<string>
  /** Its load on a host (Koji's `_taskWeight`). */
  readonly weight: number
  /** Run in the daemon's own loop, not beside other tasks (Koji's `Foreground`: shutdown and restart). */
  readonly foreground: boolean
  /** Run it: `args` is the task's arglist (and keyword arguments), decoded and checked. */
  readonly run: (args: ReadonlyArray<unknown>, kwargs: Readonly<Record<string, unknown>>, ctx: TaskContext) => Effect.Effect<
    unknown,
    TaskError | ParseResult.ParseError,
    R
  >
}

/**
 * Define a handler; `params` decodes the arglist (positional arguments as a tuple).
 * A handler's error type may hold only Koji faults and the daemon signals.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <A, I, R = never>(options: {
  readonly methods: ReadonlyArray<string>
  readonly weight?: number | undefined
  readonly foreground?: boolean | undefined
  readonly params: Schema.Schema<A, I, never>
  readonly handler: (
    args: A,
    ctx: TaskContext,
    kwargs: Readonly<Record<string, unknown>>
  ) => Effect.Effect<unknown, TaskError, R>
}): TaskHandler<R> => ({
  methods: options.methods,
  weight: options.weight ?? 1.0,
  foreground: options.foreground ?? false,
  run: (args, kwargs, ctx) =>
    Effect.flatMap(Schema.decodeUnknown(options.params)(args), (a) => options.handler(a, ctx, kwargs))
})

/**
 * A handler with what it needs given.
 *
 * @since 0.1.0
 * @category combinators
 */
export const provide = <R>(handler: TaskHandler<R>, context: Context.Context<R>): TaskHandler => ({
  ...handler,
  run: (args, kwargs, ctx) => Effect.provide(handler.run(args, kwargs, ctx), context)
})
