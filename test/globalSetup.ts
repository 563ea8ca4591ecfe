/**
 * Builds migrated templates once per migrations set, so that each test file opens
 * a ready database in about a second instead of running initdb and the migrations:
 * - a PGlite dump (a tar file under the system temp directory), opened with `loadDataDir`;
 * - a PostgreSQL template database `koji_tpl_<hash>`, copied with `CREATE DATABASE ... TEMPLATE`.
 */
import { Reactivity } from "@effect/experimental"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted } from "effect"
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import type { TestProject } from "vitest/node"
import * as Migrator from "../src/db/Migrator.js"
import * as PgliteClient from "../src/db/PgliteClient.js"
import { adminUrl, databaseUrl } from "./utils/pgUrl.js"

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string
    pgTemplate: string
  }
}

const templateKey = Effect.map(
  Migrator.load(),
  (migrations) => createHash("sha256").update(migrations.map((m) => m.checksum).join()).digest("hex").slice(0, 12)
)

const pgliteTemplate = (key: string) =>
  Effect.gen(function*() {
    const dir = Path.join(Os.tmpdir(), "koji-ts-test")
    const file = Path.join(dir, `pglite-${key}.tar`)
    if (Fs.existsSync(file)) return file
    Fs.mkdirSync(dir, { recursive: true })
    const db = yield* PgliteClient.PgliteClient
    yield* Migrator.run()
    const dump = yield* Effect.promise(() => db.pglite.dumpDataDir("none"))
    const tmp = `${file}.${process.pid}`
    Fs.writeFileSync(tmp, Buffer.from(yield* Effect.promise(() => dump.arrayBuffer())))
    Fs.renameSync(tmp, file)
    return file
  }).pipe(Effect.provide(PgliteClient.layer()))

const pgTemplate = (key: string) =>
  Effect.gen(function*() {
    const name = `koji_tpl_${key}`
    const admin = yield* PgClient.make({ url: Redacted.make(adminUrl), maxConnections: 1 })
    const exists = yield* admin`SELECT 1 FROM pg_database WHERE datname = ${name}`
    if (exists.length > 0) return name
    const building = `${name}_${process.pid}`
    yield* admin`DROP DATABASE IF EXISTS ${admin(building)}`
    yield* admin`CREATE DATABASE ${admin(building)}`
    yield* Effect.scoped(Effect.gen(function*() {
      const sql = yield* PgClient.make({ url: Redacted.make(databaseUrl(building)), maxConnections: 1 })
      yield* Migrator.run().pipe(Effect.provideService(SqlClient.SqlClient, sql))
    }))
    yield* admin`ALTER DATABASE ${admin(building)} RENAME TO ${admin(name)}`
    return name
  }).pipe(Effect.scoped, Effect.provide(Reactivity.layer))

export default async function setup(project: TestProject) {
  const key = await Effect.runPromise(templateKey)
  const [pglite, pg] = await Effect.runPromise(
    Effect.all([pgliteTemplate(key), pgTemplate(key)], { concurrency: 2 })
  )
  project.provide("pgliteTemplate", pglite)
  project.provide("pgTemplate", pg)
}
