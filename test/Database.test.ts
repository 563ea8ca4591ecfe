import { describe, expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect, Fiber, Stream } from "effect"
import * as Notifications from "../src/db/Notifications.js"
import * as SqlState from "../src/db/SqlState.js"
import * as TestDatabases from "./utils/Databases.js"

describe("Database", () => {
  for (const [name, Database] of TestDatabases.migrated) {
    layer(Database, { timeout: "120 seconds", excludeTestServices: true })(name, (it) => {
      it.effect("int8 and numeric come back as strings, int4 as numbers, timestamptz as Date", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const [row] = yield* sql<Record<string, unknown>>`
            SELECT 1::int4 AS i4, 9007199254740993::int8 AS i8, count(*) AS c, 1.5::numeric AS n,
                   now() AS t, '{"a":1}'::jsonb AS j, ARRAY['x','y'] AS arr, true AS b`
          expect(row).toMatchObject({ i4: 1, i8: "9007199254740993", c: "1", n: "1.5", j: { a: 1 }, arr: ["x", "y"], b: true })
          expect(row!.t).toBeInstanceOf(Date)
        }))

      if (name === "postgres") {
        it.effect("parameterized statements are prepared once per connection; long IN lists and scripts are not", () =>
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            const prepared = yield* sql.withTransaction(Effect.gen(function*() {
              // one connection for the transaction: what it prepares is in its pg_prepared_statements
              for (let i = 0; i < 3; i++) expect(yield* sql<{ n: number }>`SELECT ${i}::int + 1 AS n`).toEqual([{ n: i + 1 }])
              const many = Array.from({ length: 100 }, (_, i) => i)
              expect((yield* sql<{ n: number }>`SELECT n FROM generate_series(0, 200) AS n WHERE ${sql.in("n", many)}`))
                .toHaveLength(100)
              yield* sql.unsafe("CREATE TEMP TABLE prep_t (a int); INSERT INTO prep_t VALUES (1)")
              return yield* sql<{ statement: string }>`
                SELECT statement FROM pg_prepared_statements WHERE name LIKE 'koji_%' ORDER BY statement`
            }))
            expect(prepared.map((p) => p.statement)).toContain("SELECT $1::int + 1 AS n")
            expect(prepared.some((p) => p.statement.includes("generate_series"))).toBe(false)
            expect(prepared.some((p) => p.statement.includes("prep_t"))).toBe(false)
          }))
      }

      it.effect("a failed statement carries its SQLSTATE", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const error = yield* Effect.flip(sql`INSERT INTO permissions (name) VALUES ('admin')`)
          expect(SqlState.of(error)).toBe(SqlState.codes.uniqueViolation)
        }))

      it.effect("a transaction that fails half-way leaves no rows", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const result = yield* sql.withTransaction(Effect.gen(function*() {
            yield* sql`INSERT INTO permissions (name, description) VALUES ('half-way-1', 'x')`
            yield* sql`INSERT INTO permissions (name, description) VALUES ('half-way-2', 'x')`
            return yield* Effect.fail("boom" as const)
          })).pipe(Effect.flip)
          expect(result).toBe("boom")
          const rows = yield* sql`SELECT 1 FROM permissions WHERE name LIKE 'half-way-%'`
          expect(rows).toHaveLength(0)
        }))

      it.effect("a savepoint rolled back inside a transaction keeps the outer work", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          yield* sql.withTransaction(Effect.gen(function*() {
            yield* sql`INSERT INTO permissions (name, description) VALUES ('outer-kept', 'x')`
            const inner = yield* sql.withTransaction(Effect.gen(function*() {
              yield* sql`INSERT INTO permissions (name, description) VALUES ('inner-gone', 'x')`
              return yield* Effect.fail("inner" as const)
            })).pipe(Effect.flip)
            expect(inner).toBe("inner")
          }))
          const rows = yield* sql<{ name: string }>`
            SELECT name FROM permissions WHERE name IN ('outer-kept', 'inner-gone') ORDER BY name`
          expect(rows.map((r) => r.name)).toEqual(["outer-kept"])
        }))

      it.effect("versioned rows: one active row per key, revoke then re-add, reads as of an event", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const [user] = yield* sql<{ id: number }>`
            INSERT INTO users (name, status, usertype) VALUES ('versioned-user', 0, 0) RETURNING id`
          const [perm] = yield* sql<{ id: number }>`SELECT id FROM permissions WHERE name = 'tag'`
          const [{ id: grantEvent }] = yield* sql<{ id: number }>`SELECT get_event() AS id`
          yield* sql`INSERT INTO user_perms (user_id, perm_id, create_event, creator_id)
                     VALUES (${user!.id}, ${perm!.id}, ${grantEvent!}, ${user!.id})`
          // a second active row for the same key is refused
          const dup = yield* Effect.flip(sql`INSERT INTO user_perms (user_id, perm_id, creator_id)
                     VALUES (${user!.id}, ${perm!.id}, ${user!.id})`)
          expect(SqlState.of(dup)).toBe(SqlState.codes.uniqueViolation)
          // "active" is TRUE or NULL, never FALSE
          const falsy = yield* Effect.flip(sql`UPDATE user_perms SET active = FALSE WHERE user_id = ${user!.id}`)
          expect(SqlState.of(falsy)).toBe(SqlState.codes.checkViolation)
          // revoke, then re-add
          const [{ id: revokeEvent }] = yield* sql<{ id: number }>`SELECT get_event() AS id`
          yield* sql`UPDATE user_perms SET active = NULL, revoke_event = ${revokeEvent!}, revoker_id = ${user!.id}
                     WHERE user_id = ${user!.id} AND perm_id = ${perm!.id} AND active IS TRUE`
          yield* sql`INSERT INTO user_perms (user_id, perm_id, creator_id) VALUES (${user!.id}, ${perm!.id}, ${user!.id})`
          const asOf = (event: number) =>
            sql<{ create_event: number }>`SELECT create_event FROM user_perms
              WHERE user_id = ${user!.id} AND create_event <= ${event}
                AND (revoke_event IS NULL OR ${event} < revoke_event)`
          expect(yield* asOf(grantEvent!)).toEqual([{ create_event: grantEvent }])
          expect(yield* asOf(revokeEvent!)).toEqual([])
          const [{ id: now }] = yield* sql<{ id: number }>`SELECT max(id) AS id FROM events`
          const current = yield* asOf(now!)
          expect(current).toHaveLength(1)
          expect(current[0]!.create_event).toBeGreaterThan(revokeEvent!)
        }))

      it.effect("notifications arrive after commit, and never from a rolled-back transaction", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          const notifications = yield* Notifications.Notifications
          const received = yield* notifications.listen("koji_test").pipe(Stream.take(2), Stream.runCollect, Effect.fork)
          yield* Effect.sleep("100 millis") // LISTEN is in place
          yield* sql.withTransaction(notifications.notify("koji_test", "rolled-back").pipe(Effect.zipRight(Effect.fail("no"))))
            .pipe(Effect.ignore)
          yield* sql.withTransaction(notifications.notify("koji_test", "first"))
          yield* notifications.notify("koji_test", "second")
          const payloads = yield* Fiber.join(received).pipe(Effect.timeout("10 seconds"))
          expect([...payloads]).toEqual(["first", "second"])
        }))

      it.effect("50 concurrent transactions lose no update and never see each other's uncommitted rows", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          yield* sql`CREATE TABLE IF NOT EXISTS koji_test_counter (id int PRIMARY KEY, v int NOT NULL)`
          yield* sql`INSERT INTO koji_test_counter VALUES (1, 0) ON CONFLICT (id) DO UPDATE SET v = 0`
          let sawUncommitted = 0
          const writers = Effect.forEach(Array.from({ length: 50 }, (_, i) => i), (i) =>
            sql.withTransaction(Effect.gen(function*() {
              const [row] = yield* sql<{ v: number }>`SELECT v FROM koji_test_counter WHERE id = 1 FOR UPDATE`
              // a negative value is only ever written inside a transaction and replaced before commit
              if (row!.v < 0) sawUncommitted++
              yield* sql`UPDATE koji_test_counter SET v = ${-1 - i} WHERE id = 1`
              yield* Effect.yieldNow()
              yield* sql`UPDATE koji_test_counter SET v = ${row!.v + 1} WHERE id = 1`
            })), { concurrency: 50, discard: true })
          // readers outside any transaction, at the same time
          const readers = Effect.forEach(Array.from({ length: 50 }, (_, i) => i), () =>
            Effect.flatMap(sql<{ v: number }>`SELECT v FROM koji_test_counter WHERE id = 1`, ([row]) =>
              Effect.sync(() => {
                if (row!.v < 0) sawUncommitted++
              })), { concurrency: 10, discard: true })
          yield* Effect.all([writers, readers], { concurrency: 2, discard: true })
          const [final] = yield* sql<{ v: number }>`SELECT v FROM koji_test_counter WHERE id = 1`
          expect(final!.v).toBe(50)
          expect(sawUncommitted).toBe(0)
        }))
    })
  }
})
