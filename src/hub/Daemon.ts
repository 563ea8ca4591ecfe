/**
 * The hub as a daemon, from settings: the database (`KOJI_DATABASE_URL` or PGlite
 * under `KOJI_HOME`), the file store (`KOJI_TOPDIR` or `KOJI_HOME/topdir`), migrations, the bootstrap admin, the HTTP(S) server and the
 * session sweep. The apps (`apps/hub`, `apps/all-in-one`) are this plus a runtime.
 *
 * @since 0.1.0
 */
import { type HttpServer } from "@effect/platform"
import { type SqlClient } from "@effect/sql"
import { Config, Console, Effect, Layer, Option, Redacted, Schedule } from "effect"
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

/**
 * Print where the hub listens and how to reach it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const announce: Effect.Effect<void, never, HttpServer.HttpServer | Database.DatabaseInfo> = Effect.gen(
  function*() {
    const url = yield* Server.url
    const info = yield* Database.DatabaseInfo
    yield* Console.log(`koji-ts: database: ${info.description}`)
    yield* Console.log(`koji-ts: typed API at ${url}/api (KOJI_HUB_URL=${url}/api for the SDK)`)
    yield* Console.log(`koji-ts: Koji's XML-RPC at ${url}/kojihub (a koji profile: server = ${url}/kojihub, topurl = ${url}/kojifiles)`)
    yield* Console.log(`koji-ts ready at ${url}`)
  }
)
