/**
 * Applies `migrations/NNNN_name.sql` in order, in one transaction, once.
 *
 * - Safe when several hubs start together: a transaction-scoped advisory lock
 *   serialises them, and the second one finds nothing left to do.
 * - Refuses a database that has migrations this code does not know (a newer
 *   koji-ts wrote it): `MigrationError` with reason `"database-newer"`, naming both versions.
 * - The files are found relative to this package, not the working directory.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Data, Effect } from "effect"
import { createHash } from "node:crypto"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

/**
 * @since 0.1.0
 * @category errors
 */
export class MigrationError extends Data.TaggedError("MigrationError")<{
  readonly reason: "database-newer" | "bad-files" | "failed"
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * One migration file.
 *
 * @since 0.1.0
 * @category models
 */
export interface Migration {
  readonly id: number
  readonly name: string
  readonly sql: string
  /** sha256 of the file, recorded with the migration. */
  readonly checksum: string
}

/**
 * The `migrations/` folder shipped with this package.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultDirectory: string = fileURLToPath(new URL("../../migrations", import.meta.url))

/**
 * The table that records applied migrations.
 *
 * @since 0.1.0
 * @category constants
 */
export const table = "koji_migrations"

// any constant key: both hubs must use the same one
const advisoryLockKey = 0x6b6f6a69 // "koji"

/**
 * Read `NNNN_name.sql` files from a directory, sorted by number.
 *
 * @since 0.1.0
 * @category constructors
 */
export const load = (directory: string = defaultDirectory): Effect.Effect<ReadonlyArray<Migration>, MigrationError> =>
  Effect.tryPromise({
    try: async () => {
      const names = (await Fs.readdir(directory)).filter((name) => name.endsWith(".sql")).sort()
      const migrations: Array<Migration> = []
      for (const file of names) {
        const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file)
        if (match === null) throw new Error(`${file} is not named NNNN_name.sql`)
        const sql = await Fs.readFile(Path.join(directory, file), "utf8")
        migrations.push({
          id: Number(match[1]),
          name: match[2]!,
          sql,
          checksum: createHash("sha256").update(sql).digest("hex")
        })
      }
      migrations.forEach((m, i) => {
        if (i > 0 && migrations[i - 1]!.id === m.id) throw new Error(`two migrations have the number ${m.id}`)
      })
      return migrations
    },
    catch: (cause) =>
      new MigrationError({
        reason: "bad-files",
        message: `Cannot read the migrations in ${directory}: ${cause instanceof Error ? cause.message : cause}`,
        cause
      })
  })

/**
 * The highest migration number in a list (the schema version of that code).
 *
 * @since 0.1.0
 * @category combinators
 */
export const versionOf = (migrations: ReadonlyArray<Migration>): number => migrations.at(-1)?.id ?? 0

/**
 * Apply every pending migration; answers the ones applied now.
 *
 * @since 0.1.0
 * @category combinators
 */
export const run = (
  options: { readonly directory?: string | undefined } = {}
): Effect.Effect<ReadonlyArray<Migration>, MigrationError | SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const migrations = yield* load(options.directory)
    const codeVersion = versionOf(migrations)
    return yield* sql.withTransaction(Effect.gen(function*() {
      yield* sql`SELECT pg_advisory_xact_lock(${advisoryLockKey})`
      yield* sql`CREATE TABLE IF NOT EXISTS ${sql(table)} (
        migration_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        checksum TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
      )`
      const applied = yield* sql<{ migration_id: number }>`SELECT migration_id FROM ${sql(table)} ORDER BY migration_id`
      const known = new Set(migrations.map((m) => m.id))
      const unknown = applied.filter((row) => !known.has(row.migration_id))
      if (unknown.length > 0) {
        const dbVersion = Math.max(...applied.map((row) => row.migration_id))
        return yield* new MigrationError({
          reason: "database-newer",
          message: `The database is at schema version ${dbVersion} but this koji-ts knows versions up to ${codeVersion} ` +
            `(unknown migrations: ${unknown.map((row) => row.migration_id).join(", ")}); ` +
            `run a koji-ts at least as new as the one that wrote it`
        })
      }
      const done = new Set(applied.map((row) => row.migration_id))
      const pending = migrations.filter((m) => !done.has(m.id))
      for (const m of pending) {
        yield* sql.unsafe(m.sql).unprepared.pipe(
          Effect.mapError((cause) =>
            new MigrationError({
              reason: "failed",
              message: `Migration ${String(m.id).padStart(4, "0")}_${m.name} failed: ${cause.message}`,
              cause
            })
          )
        )
        yield* sql`INSERT INTO ${sql(table)} ${sql.insert({ migration_id: m.id, name: m.name, checksum: m.checksum })}`
      }
      return pending
    }))
  }).pipe(Effect.withSpan("koji/db/Migrator.run"))
