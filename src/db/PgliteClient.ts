/**
 * An `SqlClient` for PGlite (PostgreSQL compiled to WebAssembly, in process).
 *
 * PGlite is a single database session, so every statement outside a transaction
 * takes a one-permit lock for the time it runs, and a transaction holds that lock
 * from `BEGIN` to `COMMIT`/`ROLLBACK`: no other fiber's statement can ever land
 * inside someone else's transaction. Nested `withTransaction` calls become
 * savepoints (handled by `SqlClient.make`). int8 and numeric come back as strings,
 * as node-postgres returns them, so row schemas are the same on both databases.
 *
 * @since 0.1.0
 */
import { PGlite, types, type PGliteOptions } from "@electric-sql/pglite"
import { Reactivity } from "@effect/experimental"
import { SqlClient, type SqlConnection, SqlError } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, Scope, Stream } from "effect"
import * as Fs from "node:fs/promises"
import { sqlStateOfCause } from "./SqlState.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface PgliteClient extends SqlClient.SqlClient {
  /** The underlying PGlite instance (for dumps and diagnostics). */
  readonly pglite: PGlite
  /** Notifications sent with `pg_notify` on `channel`, in process. */
  readonly listen: (channel: string) => Stream.Stream<string, SqlError.SqlError>
  /** `pg_notify(channel, payload)`; delivered at commit when called inside a transaction. */
  readonly notify: (channel: string, payload: string) => Effect.Effect<void, SqlError.SqlError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export const PgliteClient = Context.GenericTag<PgliteClient>("koji/db/PgliteClient")

/**
 * @since 0.1.0
 * @category models
 */
export interface PgliteClientConfig {
  /** A directory for a database on disk; `undefined` or `"memory://"` keeps it in memory. */
  readonly dataDir?: string | undefined
  /** A dump made with `dumpDataDir` to start from (a migrated template, in tests). */
  readonly loadDataDir?: Blob | undefined
  /** Trade durability for speed (no fsync per commit). */
  readonly relaxedDurability?: boolean | undefined
}

const toSqlError = (cause: unknown, what: string): SqlError.SqlError => {
  const state = sqlStateOfCause(cause)
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new SqlError.SqlError({
    cause,
    message: state === undefined ? `${what}: ${detail}` : `${what}: ${detail} (SQLSTATE ${state})`
  })
}

const attempt = <A>(f: () => Promise<A>, what: string) =>
  Effect.tryPromise({ try: f, catch: (cause) => toSqlError(cause, what) })

/**
 * Open PGlite and build the client. The instance is closed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  config: PgliteClientConfig = {}
): Effect.Effect<PgliteClient, SqlError.SqlError, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function*() {
    const inMemory = config.dataDir === undefined || config.dataDir.startsWith("memory://")
    if (!inMemory) {
      // PGlite creates only the last path segment itself
      yield* attempt(() => Fs.mkdir(config.dataDir!, { recursive: true }), "Failed to create the PGlite directory")
    }
    const options: PGliteOptions = {
      parsers: { [types.INT8]: (x: string) => x, [types.NUMERIC]: (x: string) => x },
      ...(inMemory ? {} : { dataDir: config.dataDir }),
      ...(config.loadDataDir ? { loadDataDir: config.loadDataDir } : {}),
      ...(config.relaxedDurability ? { relaxedDurability: true } : {})
    }
    const db = yield* Effect.acquireRelease(
      attempt(() => PGlite.create(options), "Failed to open PGlite"),
      (db) => Effect.promise(() => db.closed ? Promise.resolve() : db.close())
    )

    const lock = yield* Effect.makeSemaphore(1)
    const locked = <A, E>(effect: Effect.Effect<A, E>) => lock.withPermits(1)(effect)

    const run = (sql: string, params: ReadonlyArray<unknown>) =>
      attempt(() => db.query<any>(sql, params as Array<unknown>), "Failed to execute statement")

    const makeConnection = (withLock: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E>) => {
      const execute = (
        sql: string,
        params: ReadonlyArray<unknown>,
        transformRows: (<A extends object>(row: ReadonlyArray<A>) => ReadonlyArray<A>) | undefined
      ) =>
        withLock(Effect.map(run(sql, params), (result) =>
          transformRows ? transformRows(result.rows) : result.rows as ReadonlyArray<any>
        ))
      const connection: SqlConnection.Connection = {
        execute,
        executeRaw: (sql, params) => withLock(run(sql, params)),
        executeValues: (sql, params) =>
          withLock(attempt(
            () => db.query<Array<unknown>>(sql, params as Array<unknown>, { rowMode: "array" }),
            "Failed to execute statement"
          ).pipe(Effect.map((result) => result.rows))),
        executeUnprepared: (sql, params, transformRows) =>
          params.length > 0
            ? execute(sql, params, transformRows)
            : withLock(attempt(() => db.exec(sql), "Failed to execute script").pipe(
              // the simple protocol runs every statement of a script; answer with the last result
              Effect.map((results) => {
                const rows = (results.at(-1)?.rows ?? []) as ReadonlyArray<any>
                return transformRows ? transformRows(rows) : rows
              })
            )),
        // PGlite has no cursors: the rows are read at once, then streamed
        executeStream: (sql, params, transformRows) =>
          Stream.fromIterableEffect(execute(sql, params, transformRows))
      }
      return connection
    }

    const lockedConnection = makeConnection(locked)
    const transactionConnection = makeConnection((effect) => effect)
    // the transaction holds the lock until its scope closes (commit, rollback or interruption)
    const transactionAcquirer = Effect.uninterruptibleMask((restore) =>
      Effect.zipRight(
        restore(lock.take(1)),
        Effect.flatMap(Effect.scope, (scope) => Scope.addFinalizer(scope, lock.release(1)))
      ).pipe(Effect.as(transactionConnection))
    )

    const client = yield* SqlClient.make({
      acquirer: Effect.succeed(lockedConnection),
      transactionAcquirer,
      compiler: PgClient.makeCompiler(),
      spanAttributes: [["db.system.name", "postgresql"], ["db.namespace", config.dataDir ?? "memory"]]
    })

    const listen = (channel: string): Stream.Stream<string, SqlError.SqlError> =>
      Stream.asyncPush<string, SqlError.SqlError>((emit) =>
        Effect.acquireRelease(
          locked(attempt(() => db.listen(channel, (payload) => emit.single(payload)), "Failed to listen")),
          (unlisten) => locked(Effect.promise(() => db.closed ? Promise.resolve() : unlisten()))
        )
      )
    const notify = (channel: string, payload: string) =>
      Effect.asVoid(client`SELECT pg_notify(${channel}, ${payload})`)

    return Object.assign(client, { pglite: db, listen, notify })
  })

/**
 * Provides `PgliteClient` and `SqlClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  config: PgliteClientConfig = {}
): Layer.Layer<PgliteClient | SqlClient.SqlClient, SqlError.SqlError> =>
  Layer.scopedContext(
    Effect.map(make(config), (client) => Context.make(PgliteClient, client).pipe(Context.add(SqlClient.SqlClient, client)))
  ).pipe(Layer.provide(Reactivity.layer))
