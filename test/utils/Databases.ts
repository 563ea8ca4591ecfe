/**
 * Every database test runs on PGlite (in memory) and on a real PostgreSQL server:
 *
 *   for (const [name, Database] of TestDatabases.migrated) {
 *     layer(Database)(name, (it) => { ... })
 *   }
 *
 * Each layer is a fresh database: PGlite loaded from the migrated dump, or a
 * PostgreSQL database copied from the migrated template and dropped afterwards.
 */
import { Reactivity } from "@effect/experimental"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import * as Fs from "node:fs"
import { inject } from "vitest"
import * as Database from "../../src/db/Database.js"
import { adminUrl, databaseUrl } from "./pgUrl.js"

type DatabaseLayer = Layer.Layer<Database.Database>

let counter = 0
const uniqueName = () => `koji_test_${process.pid}_${Date.now().toString(36)}_${counter++}`

/** The URL of a new PostgreSQL database (from `template` when given), dropped when the scope closes. */
export const pgDatabaseUrl = (template?: string) =>
  Effect.gen(function*() {
    const admin = yield* PgClient.make({ url: Redacted.make(adminUrl), maxConnections: 1 })
    const name = uniqueName()
    yield* Effect.acquireRelease(
      template === undefined
        ? admin`CREATE DATABASE ${admin(name)}`
        : admin`CREATE DATABASE ${admin(name)} TEMPLATE ${admin(template)}`,
      () => Effect.orDie(admin`DROP DATABASE IF EXISTS ${admin(name)} WITH (FORCE)`)
    )
    return databaseUrl(name)
  }).pipe(Effect.provide(Reactivity.layer), Effect.orDie)

/** A new PostgreSQL database (from `template` when given), dropped when the layer is released. */
export const pgDatabase = (template?: string): DatabaseLayer =>
  Layer.unwrapScoped(Effect.map(
    pgDatabaseUrl(template),
    (url) => Database.layerPg({ url: Redacted.make(url), maxConnections: 4 })
  )).pipe(Layer.orDie)

/** PGlite in memory, from the migrated dump. */
export const pgliteMigrated = (): DatabaseLayer =>
  Layer.unwrapEffect(Effect.sync(() =>
    Database.layerMemory({ loadDataDir: new Blob([Fs.readFileSync(inject("pgliteTemplate"))]) })
  )).pipe(Layer.orDie)

/** Migrated databases, one of each kind. */
export const migrated: ReadonlyArray<readonly [string, DatabaseLayer]> = [
  ["pglite", pgliteMigrated()],
  ["postgres", Layer.suspend(() => pgDatabase(inject("pgTemplate")))]
]

/** Empty databases (nothing migrated), one of each kind. */
export const empty: ReadonlyArray<readonly [string, DatabaseLayer]> = [
  ["pglite", Database.layerMemory().pipe(Layer.orDie)],
  ["postgres", Layer.suspend(() => pgDatabase())]
]
