/**
 * Database throughput: insert 100,000 task rows (in batches of 1,000, one
 * transaction each) and read them back by state, on PGlite in memory, PGlite on
 * disk and PostgreSQL, side by side.
 *
 *   npm run bench            (or: node --import tsx bench/db.ts [rows])
 */
import { SqlClient } from "@effect/sql"
import { Console, Effect, Layer } from "effect"
import * as Database from "../src/db/Database.js"
import { fmt, pgDatabase, pgliteDisk } from "./utils.js"

const rows = Number(process.argv[2] ?? 100_000)
const batch = 1_000
const states = [0, 1, 2, 3, 4, 5]

const run = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [owner] = yield* sql<{ id: number }>`
    INSERT INTO users (name, status, usertype) VALUES ('bench', 0, 0) RETURNING id`
  const started = performance.now()
  for (let offset = 0; offset < rows; offset += batch) {
    const values = Array.from({ length: Math.min(batch, rows - offset) }, (_, i) => ({
      state: states[(offset + i) % states.length]!,
      channel_id: 1,
      owner: owner!.id,
      method: "build",
      arch: "noarch",
      priority: 20,
      request: "<?xml version='1.0'?><methodCall><methodName>build</methodName></methodCall>"
    }))
    yield* sql.withTransaction(sql`INSERT INTO task ${sql.insert(values)}`)
  }
  const insertSeconds = (performance.now() - started) / 1000
  const readStarted = performance.now()
  let read = 0
  for (const state of states) {
    const result = yield* sql`SELECT id, state, owner, method, arch, priority, create_time FROM task WHERE state = ${state}`
    read += result.length
  }
  const readSeconds = (performance.now() - readStarted) / 1000
  if (read !== rows) return yield* Effect.dieMessage(`read ${read} rows, expected ${rows}`)
  return { insert: rows / insertSeconds, read: rows / readSeconds, insertSeconds, readSeconds }
})

const measure = (name: string, database: Layer.Layer<Database.Database>) =>
  run.pipe(
    Effect.provide(Layer.provideMerge(Database.layerMigrated, database)),
    Effect.map((r) => ({ name, ...r }))
  )

const program = Effect.gen(function*() {
  yield* Console.log(`koji-ts bench/db: ${fmt(rows)} task rows, inserted in transactions of ${fmt(batch)}, read back by state`)
  const results = []
  for (const [name, layer] of [
    ["PGlite in memory", Database.layerMemory()],
    ["PGlite on disk", pgliteDisk()],
    ["PostgreSQL 15", pgDatabase()]
  ] as const) {
    results.push(yield* measure(name, layer as Layer.Layer<Database.Database>))
  }
  yield* Console.log("")
  yield* Console.log(`${"database".padEnd(18)} ${"insert rows/s".padStart(14)} ${"read rows/s".padStart(14)} ${"insert s".padStart(9)} ${"read s".padStart(8)}`)
  for (const r of results) {
    yield* Console.log(
      `${r.name.padEnd(18)} ${fmt(r.insert).padStart(14)} ${fmt(r.read).padStart(14)} ${fmt(r.insertSeconds, 2).padStart(9)} ${fmt(r.readSeconds, 2).padStart(8)}`
    )
  }
})

Effect.runPromise(program).catch((e) => {
  console.error(e)
  process.exit(1)
})
