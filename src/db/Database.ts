/**
 * The database layers: one `SqlClient` (plus `Notifications`) from PostgreSQL,
 * PGlite on disk or PGlite in memory, and the layer that picks one from `Config`.
 *
 * Services depend on `SqlClient.SqlClient` only; the dialect is PostgreSQL 15.
 *
 * @since 0.1.0
 */
import { SqlClient, SqlError } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Config, type ConfigError, Context, Effect, Layer, Option, Redacted } from "effect"
import * as Path from "node:path"
import Pg from "pg"
import * as Migrator from "./Migrator.js"
import * as Notifications from "./Notifications.js"
import * as PgliteClient from "./PgliteClient.js"

/**
 * Which database is behind the `SqlClient`, for logs and start-up lines.
 *
 * @since 0.1.0
 * @category tags
 */
export class DatabaseInfo extends Context.Tag("koji/db/DatabaseInfo")<DatabaseInfo, {
  readonly kind: "postgres" | "pglite"
  /** A description without secrets: `postgres://127.0.0.1:5432/koji`, `PGlite at .koji/db`, `PGlite in memory`. */
  readonly description: string
}>() {}

/**
 * What a database layer provides.
 *
 * @since 0.1.0
 * @category models
 */
export type Database = SqlClient.SqlClient | Notifications.Notifications | DatabaseInfo

const describeUrl = (url: string): string => {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return "postgres (unparsable URL)"
  }
}

/**
 * A PostgreSQL server.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPg = (options: {
  readonly url: Redacted.Redacted
  readonly maxConnections?: number | undefined
}): Layer.Layer<Database, SqlError.SqlError> =>
  Layer.mergeAll(
    Notifications.layerPg,
    Layer.succeed(DatabaseInfo, { kind: "postgres", description: describeUrl(Redacted.value(options.url)) })
  ).pipe(
    Layer.provideMerge(PgClient.layerFromPool({
      acquire: Effect.acquireRelease(
        Effect.sync(() => {
          const pool = new Pg.Pool({
            connectionString: Redacted.value(options.url),
            max: options.maxConnections ?? 10,
            application_name: "koji-ts",
            Client: PreparingClient
          })
          pool.on("error", () => {})
          return pool
        }),
        (pool) => Effect.promise(() => pool.end()).pipe(Effect.timeoutOption(1000))
      ).pipe(
        // fail at start-up when the server does not answer, as `PgClient.layer` does
        Effect.tap((pool) =>
          Effect.tryPromise({
            try: () => pool.query("SELECT 1"),
            catch: (cause) => new SqlError.SqlError({ cause, message: "PgClient: Failed to connect" })
          }).pipe(Effect.timeoutFail({
            duration: "5 seconds",
            onTimeout: () => new SqlError.SqlError({ cause: new Error("Connection timed out"), message: "PgClient: Connection timed out" })
          }))
        )
      )
    }))
  )

/**
 * `effect` with `sql` as its `SqlClient`, for services that capture their client. A fiber that
 * has this client already (a hub call) runs `effect` as it is: a provide copies the fiber's
 * context and refs, several µs on every call.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withSql = (sql: SqlClient.SqlClient) =>
<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, SqlClient.SqlClient>> =>
  Effect.contextWithEffect((context: Context.Context<never>) =>
    context.unsafeMap.get(SqlClient.SqlClient.key) === sql ? effect : Effect.provideService(effect, SqlClient.SqlClient, sql)
  ) as Effect.Effect<A, E, Exclude<R, SqlClient.SqlClient>>

// the statements prepared so far, by text; bounded, as each is kept by every connection
const statementNames = new Map<string, string>()
const maxStatements = 500
const maxStatementParams = 32

/**
 * node-pg's client, preparing each parameterized statement once per connection (by name): then
 * PostgreSQL plans it once, not on every call; planning costs it several times more than running
 * the hub's reads. Statements with many parameters (`IN` lists of any length) stay unnamed.
 */
class PreparingClient extends Pg.Client {
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === "string" && Array.isArray(values) && values.length > 0 && values.length <= maxStatementParams) {
      let name = statementNames.get(config)
      if (name === undefined && statementNames.size < maxStatements) {
        name = `koji_${statementNames.size}`
        statementNames.set(config, name)
      }
      if (name !== undefined) return super.query({ name, text: config, values }, callback)
    }
    return super.query(config, values, callback)
  }
}

/**
 * Embedded PGlite in a directory (kept across restarts).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPglite = (options: PgliteClient.PgliteClientConfig & {
  readonly dataDir: string
}): Layer.Layer<Database, SqlError.SqlError> =>
  Layer.mergeAll(
    Notifications.layerPglite,
    Layer.succeed(DatabaseInfo, { kind: "pglite", description: `PGlite at ${options.dataDir}` })
  ).pipe(Layer.provideMerge(PgliteClient.layer(options)))

/**
 * PGlite in memory: tests, examples, throw-away hubs. `loadDataDir` starts from a dump.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (options: {
  readonly loadDataDir?: Blob | undefined
} = {}): Layer.Layer<Database, SqlError.SqlError> =>
  Layer.mergeAll(
    Notifications.layerPglite,
    Layer.succeed(DatabaseInfo, { kind: "pglite", description: "PGlite in memory" })
  ).pipe(Layer.provideMerge(PgliteClient.layer({ loadDataDir: options.loadDataDir })))

/**
 * The data directory, `KOJI_HOME` (default `./.koji`).
 *
 * @since 0.1.0
 * @category Config
 */
export const home: Config.Config<string> = Config.string("KOJI_HOME").pipe(
  Config.withDefault("./.koji"),
  Config.withDescription("data directory: the embedded database, files, logs")
)

/**
 * `KOJI_DATABASE_URL` (a `postgres://` URL) picks PostgreSQL; unset, PGlite under `KOJI_HOME/db`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromConfig: Layer.Layer<Database, SqlError.SqlError | ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.gen(function*() {
    const url = yield* Config.option(Config.redacted("KOJI_DATABASE_URL"))
    if (Option.isSome(url)) {
      const maxConnections = yield* Config.integer("KOJI_DATABASE_POOL").pipe(Config.withDefault(10))
      return layerPg({ url: url.value, maxConnections })
    }
    return layerPglite({ dataDir: Path.join(yield* home, "db") })
  })
)

/**
 * Runs the migrations when built: compose it on top of a database layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMigrated: Layer.Layer<never, Migrator.MigrationError | SqlError.SqlError, SqlClient.SqlClient> =
  Layer.effectDiscard(Migrator.run())
