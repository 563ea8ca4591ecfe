import { assert, describe, expect, it, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as Migrator from "../src/db/Migrator.js"
import * as TestDatabases from "./utils/Databases.js"

describe("Migrator", () => {
  it_loads()
  for (const [name, Database] of TestDatabases.empty) {
    layer(Database, { timeout: "120 seconds" })(name, (it) => {
      it.effect("applies every migration from scratch, then nothing the second time", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const all = yield* Migrator.load()
          const first = yield* Migrator.run()
          expect(first.map((m) => m.id)).toEqual(all.map((m) => m.id))
          const second = yield* Migrator.run()
          expect(second).toEqual([])
          const rows = yield* sql<{ migration_id: number; checksum: string }>`
            SELECT migration_id, checksum FROM koji_migrations ORDER BY migration_id`
          expect(rows.map((r) => r.migration_id)).toEqual(all.map((m) => m.id))
          expect(rows.map((r) => r.checksum)).toEqual(all.map((m) => m.checksum))
          // Koji's seeded rows are there
          const perms = yield* sql<{ name: string }>`SELECT name FROM permissions ORDER BY name`
          expect(perms.map((p) => p.name)).toContain("admin")
          const [volume] = yield* sql<{ id: number; name: string }>`SELECT id, name FROM volume WHERE id = 0`
          expect(volume).toEqual({ id: 0, name: "DEFAULT" })
        }))

      it.effect("two migrators started together apply each migration once", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const results = yield* Effect.all([Migrator.run(), Migrator.run(), Migrator.run()], { concurrency: 3 })
          expect(results.flat()).toEqual([])
          const [{ n }] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM koji_migrations`
          expect(n).toBe((yield* Migrator.load()).length)
        }))

      it.effect("refuses a database newer than the code, naming both versions", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const version = Migrator.versionOf(yield* Migrator.load())
          yield* sql`INSERT INTO koji_migrations (migration_id, name, checksum) VALUES (9999, 'from_the_future', 'x')`
          const error = yield* Effect.flip(Migrator.run())
          assert(error._tag === "MigrationError")
          expect(error.reason).toBe("database-newer")
          expect(error.message).toContain("schema version 9999")
          expect(error.message).toContain(`up to ${version}`)
          yield* sql`DELETE FROM koji_migrations WHERE migration_id = 9999`
        }))
    })
  }
})

function it_loads() {
  describe("loader", () => {
    it.effect("finds the package's migrations whatever the working directory", () =>
      Effect.gen(function*() {
        const cwd = process.cwd()
        process.chdir("/")
        const migrations = yield* Migrator.load().pipe(Effect.ensuring(Effect.sync(() => process.chdir(cwd))))
        expect(migrations.length).toBeGreaterThan(0)
        expect(migrations.map((m) => m.id)).toEqual([...migrations.map((m) => m.id)].sort((a, b) => a - b))
      }))

    it.effect("rejects a badly named file", () =>
      Effect.gen(function*() {
        const dir = yield* Effect.promise(async () => {
          const fs = await import("node:fs/promises")
          const os = await import("node:os")
          const d = await fs.mkdtemp(`${os.tmpdir()}/koji-mig-`)
          await fs.writeFile(`${d}/1_bad.sql`, "SELECT 1")
          return d
        })
        const error = yield* Effect.flip(Migrator.load(dir))
        expect(error.reason).toBe("bad-files")
        expect(error.message).toContain("1_bad.sql")
      }))
  })
}
