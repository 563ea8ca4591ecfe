/**
 * The hub as a daemon, from settings: the database (`KOJI_DATABASE_URL` or PGlite
 * under `KOJI_HOME`), the file store (`KOJI_TOPDIR` or `KOJI_HOME/topdir`), migrations, the bootstrap admin, the HTTP(S) server and the
 * session sweep; on PostgreSQL, as several worker processes serving one port (`KOJI_HUB_WORKERS`).
 * The apps (`apps/hub`, `apps/all-in-one`) are this plus a runtime.
 *
 * @since 0.1.0
 */
import { type HttpServer } from "@effect/platform"
import { type SqlClient } from "@effect/sql"
import { Config, ConfigError, Console, Context, Data, Deferred, Effect, Layer, Option, Redacted, Schedule } from "effect"
import Cluster, { type Worker } from "node:cluster"
import * as Database from "../db/Database.js"
import * as Server from "../rpc/Server.js"
import * as FileStore from "../storage/FileStore.js"
import * as Bootstrap from "./Bootstrap.js"
import * as Hub from "./Hub.js"
import * as HubConfig from "./HubConfig.js"
import { Sessions } from "./Sessions.js"

/**
 * Creates the admin on first start: password from `KOJI_ADMIN_PASSWORD`, or generated and printed once.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerBootstrap: Layer.Layer<never, unknown, SqlClient.SqlClient> = Layer.effectDiscard(
  Effect.gen(function*() {
    const given = yield* Config.option(Config.redacted("KOJI_ADMIN_PASSWORD"))
    const password = yield* Bootstrap.ensureAdmin({
      password: Option.isSome(given) ? Redacted.value(given.value) : undefined
    })
    if (password !== undefined && Option.isNone(given)) {
      yield* Console.log(`koji-ts: created user "admin" with password: ${password}`)
      yield* Console.log("koji-ts: (shown once; set KOJI_ADMIN_PASSWORD to choose it)")
    } else if (password !== undefined) {
      yield* Console.log(`koji-ts: created user "admin" (password from KOJI_ADMIN_PASSWORD)`)
    }
  })
)

/**
 * Removes dead sessions every 10 minutes (safe with several hubs: deletes are idempotent).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSweep: Layer.Layer<never, never, Sessions> = Layer.scopedDiscard(
  Effect.flatMap(Sessions, (sessions) =>
    sessions.sweep.pipe(
      Effect.tap((n) => n > 0 ? Effect.logDebug(`swept ${n} sessions`) : Effect.void),
      Effect.catchAllCause((cause) => Effect.logWarning("session sweep failed", cause)),
      Effect.repeat(Schedule.spaced("10 minutes")),
      Effect.forkScoped
    ))
)

/**
 * The whole hub from settings; the server's address is printed as
 * `koji-ts ready at http://HOST:PORT` once it serves.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  | HttpServer.HttpServer
  | Database.DatabaseInfo
  | SqlClient.SqlClient
  | HubConfig.HubConfig
  | FileStore.FileStore
  | Hub.Hub,
  unknown
> = Layer.unwrapEffect(
  Effect.map(Server.config, (options) =>
    Layer.mergeAll(Server.layer(options), layerSweep).pipe(
      Layer.provideMerge(Hub.layer),
      Layer.provideMerge(layerBootstrap),
      Layer.provideMerge(Database.layerMigrated),
      Layer.provideMerge(HubConfig.layerConfig),
      Layer.provideMerge(FileStore.layerConfig),
      Layer.provideMerge(Database.layerFromConfig)
    ))
)

// where the hub listens and how to reach it, the ready line last
const announceAt = (url: string, database: string) =>
  Effect.gen(function*() {
    yield* Console.log(`koji-ts: database: ${database}`)
    yield* Console.log(`koji-ts: typed API at ${url}/api (KOJI_HUB_URL=${url}/api for the SDK)`)
    yield* Console.log(`koji-ts: Koji's XML-RPC at ${url}/kojihub (a koji profile: server = ${url}/kojihub, topurl = ${url}/kojifiles)`)
    yield* Console.log(`koji-ts ready at ${url}`)
  })

/**
 * Print where the hub listens and how to reach it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const announce: Effect.Effect<void, never, HttpServer.HttpServer | Database.DatabaseInfo> = Effect.gen(
  function*() {
    const info = yield* Database.DatabaseInfo
    yield* announceAt(yield* Server.url, info.description)
  }
)

/**
 * `KOJI_HUB_WORKERS`: how many processes serve the hub's port together (default 1). More than
 * one needs PostgreSQL: hubs keep no state of their own, and PGlite lives in one process.
 *
 * @since 0.1.0
 * @category Config
 */
export const workers: Config.Config<number> = Config.integer("KOJI_HUB_WORKERS").pipe(
  Config.validate({ message: "Expected a number of hub workers, at least 1", validation: (n) => n >= 1 }),
  Config.withDefault(1),
  Config.withDescription("processes serving the hub's port together (PostgreSQL only)")
)

/**
 * A hub worker process ended: before it served (the daemon does not start), or later (another
 * takes its place).
 *
 * @since 0.1.0
 * @category errors
 */
export class WorkerExited extends Data.TaggedError("WorkerExited")<{ readonly message: string }> {}

// what a worker tells the primary once it serves
const readyTag = "koji-ts/hub-worker-ready"

const exitOf = (code: number | null, signal: string | null) => signal ?? `code ${code}`

// a worker process, once it serves; stopped (SIGTERM: its calls in flight finish) with the scope
const forkWorker = Effect.acquireRelease(
  Effect.async<{ readonly worker: Worker; readonly url: string }, WorkerExited>((resume) => {
    const worker = Cluster.fork()
    worker.on("message", (message: { readonly _tag?: unknown; readonly url?: unknown }) => {
      if (message?._tag === readyTag && typeof message.url === "string") resume(Effect.succeed({ worker, url: message.url }))
    })
    worker.once("exit", (code: number | null, signal: string | null) =>
      resume(Effect.fail(
        new WorkerExited({ message: `hub worker ${worker.process.pid} exited (${exitOf(code, signal)}) before it served` })
      )))
    return Effect.sync(() => worker.process.kill("SIGTERM"))
  }),
  ({ worker }) =>
    Effect.async<void>((resume) => {
      if (worker.isDead()) return resume(Effect.void)
      worker.once("exit", () => resume(Effect.void))
      worker.process.kill("SIGTERM")
    })
)

// fails when the worker's process ends
const exited = (worker: Worker) =>
  Effect.async<never, WorkerExited>((resume) => {
    const fail = (how: string) =>
      resume(Effect.fail(new WorkerExited({ message: `hub worker ${worker.process.pid} exited (${how})` })))
    if (worker.isDead()) return fail(exitOf(worker.process.exitCode, worker.process.signalCode))
    worker.once("exit", (code: number | null, signal: string | null) => fail(exitOf(code, signal)))
  })

// one worker's place: its first start completes `ready` (or fails it); a worker that ends is
// replaced (it shares the port the others hold: with KOJI_HTTP_PORT=0, were all gone at once,
// the next would get another port)
const workerSlot = (ready: Deferred.Deferred<string, WorkerExited>) =>
  Effect.scoped(Effect.gen(function*() {
    const { url, worker } = yield* forkWorker
    if (!(yield* Deferred.succeed(ready, url))) yield* Effect.logInfo(`hub worker ${worker.process.pid} serves in its place`)
    return yield* exited(worker)
  })).pipe(
    Effect.tapError((e) =>
      Effect.flatMap(Deferred.fail(ready, e), (first) =>
        first ? Effect.void : Effect.logWarning(`${e.message}; starting another`))
    ),
    Effect.retry(Schedule.spaced("1 second"))
  )

// the primary of several workers: the database made ready once, then the workers, kept running
const primary = (count: number) =>
  Effect.gen(function*() {
    if (Option.isNone(yield* Config.option(Config.redacted("KOJI_DATABASE_URL")))) {
      return yield* Effect.fail(ConfigError.InvalidData(
        ["KOJI_HUB_WORKERS"],
        `${count} hub workers need PostgreSQL (set KOJI_DATABASE_URL): the embedded PGlite serves one process`
      ))
    }
    const database = yield* Effect.scoped(Effect.map(
      Layer.build(layerBootstrap.pipe(Layer.provideMerge(Database.layerMigrated), Layer.provideMerge(Database.layerFromConfig))),
      (context) => Context.get(context, Database.DatabaseInfo).description
    ))
    const ready = yield* Effect.forEach(Array.from({ length: count }), () => Deferred.make<string, WorkerExited>())
    yield* Effect.forEach(ready, (slot) => Effect.forkScoped(workerSlot(slot)), { discard: true })
    const urls = yield* Effect.forEach(ready, Deferred.await)
    yield* Console.log(`koji-ts: ${count} hub workers`)
    yield* announceAt(urls[0]!, database)
    return yield* Effect.never
  })

/**
 * The hub daemon as `apps/hub` runs it: the hub from settings, serving until interrupted. With
 * `KOJI_HUB_WORKERS` above 1, this process makes the database ready (migrations, the admin), then
 * starts that many worker processes that serve the one port together (Node's cluster: each
 * takes connections in turn), replaces a worker that dies, and stops them all (their calls in
 * flight finish) when it stops. A worker process runs the hub and tells the primary when it serves.
 *
 * @since 0.1.0
 * @category combinators
 */
export const main: Effect.Effect<never, unknown> = Effect.suspend(() => {
  const serve = (ready: Effect.Effect<void, never, HttpServer.HttpServer | Database.DatabaseInfo>) =>
    Layer.launch(Layer.effectDiscard(ready).pipe(Layer.provideMerge(layer)))
  if (Cluster.isWorker) {
    return serve(Effect.flatMap(Server.url, (url) => Effect.sync(() => process.send!({ _tag: readyTag, url }))))
  }
  return Effect.flatMap(workers, (count) => count > 1 ? Effect.scoped(primary(count)) : serve(announce))
})
