/**
 * `getFullInheritance` on a 50-tag tree: p50/p99 over 1,000 calls, in process
 * through the `Tags` service (one recursive query + the walk in memory) and
 * through the hub dispatcher (the in-process client: access check, decode,
 * handler, encode; anonymous, and logged in, which adds the session check), on
 * PostgreSQL and PGlite in memory. Aim: < 5 ms.
 *
 *   node --import tsx bench/inheritance.ts [calls]
 *
 * The tree: tag i inherits from tags 2i and 2i+1 (up to 50), plus one diamond
 * edge per level and a pkg_filter, so the walk meets re-visits and filters.
 */
import { SqlClient } from "@effect/sql"
import { Console, Effect, Layer } from "effect"
import * as KojiClient from "../src/client/KojiClient.js"
import * as Database from "../src/db/Database.js"
import * as Bootstrap from "../src/hub/Bootstrap.js"
import * as Hub from "../src/hub/Hub.js"
import * as HubConfig from "../src/hub/HubConfig.js"
import * as Inheritance from "../src/hub/Inheritance.js"
import { Tags, layer as tagsLayer } from "../src/hub/Tags.js"
import * as Versioned from "../src/hub/Versioned.js"
import { fmt, percentile, pgDatabase } from "./utils.js"
import * as FileStore from "../src/storage/FileStore.js"

const calls = Number(process.argv[2] ?? 1_000)
const tagCount = 50
const password = "bench-admin-password"

const time = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    yield* effect // warm up
    const samples: Array<number> = []
    for (let i = 0; i < calls; i++) {
      const t = performance.now()
      yield* effect
      samples.push(performance.now() - t)
    }
    samples.sort((a, b) => a - b)
    return { p50: percentile(samples, 50), p99: percentile(samples, 99) }
  })

const run = Effect.gen(function*() {
  const context = yield* Effect.context<Hub.Hub>()
  const admin = yield* Effect.provide(KojiClient.makeInProcess, context)
  yield* admin.login({ user: "admin", password })
  const ids: Array<number> = [0]
  for (let i = 1; i <= tagCount; i++) ids.push(yield* admin.createTag({ name: `bench-${i}` }))
  for (let i = 1; i <= tagCount; i++) {
    const parents = [2 * i, 2 * i + 1].filter((p) => p <= tagCount)
    // a diamond: every fourth tag also inherits from its grand-sibling
    if (i % 4 === 0 && 4 * i + 4 <= tagCount) parents.push(4 * i + 4)
    if (parents.length === 0) continue
    yield* admin.setInheritanceData({
      tag: ids[i]!,
      data: parents.map((p, k) => ({
        parent_id: ids[p]!,
        priority: k * 10,
        maxdepth: null,
        intransitive: false,
        noconfig: false,
        pkg_filter: k === 1 && i % 3 === 0 ? "^lib" : ""
      }))
    })
  }
  const tags = yield* Tags
  const root = ids[1]!
  const walked = yield* tags.fullInheritance(root)
  const service = yield* time(tags.fullInheritance(root))
  const sql = yield* SqlClient.SqlClient
  const walkOnly = yield* time(Effect.provideService(Inheritance.loadReachableLinks(root), SqlClient.SqlClient, sql))
  // anonymous (as a builder or kojira reads): no session to resolve
  const anon = yield* Effect.provide(KojiClient.makeInProcess, context)
  const dispatcher = yield* time(anon.getFullInheritance({ tag: root }))
  const loggedIn = yield* time(admin.getFullInheritance({ tag: root }))
  return { links: walked.length, service, query: walkOnly, dispatcher, loggedIn }
})

const measure = (name: string, database: Layer.Layer<Database.Database>) =>
  run.pipe(
    Effect.provide(
      Layer.mergeAll(Hub.layer, tagsLayer).pipe(
        Layer.provideMerge(Layer.effectDiscard(Bootstrap.ensureAdmin({ password }))),
        Layer.provideMerge(HubConfig.layer({})),
        Layer.provideMerge(FileStore.layerMemory),
        Layer.provideMerge(Layer.provideMerge(Database.layerMigrated, database))
      )
    ),
    Effect.scoped,
    // each database run starts without a cached event (Versioned keeps one per call)
    Versioned.withFreshEvent,
    Effect.map((r) => ({ name, ...r }))
  )

const program = Effect.gen(function*() {
  yield* Console.log(`koji-ts bench/inheritance: getFullInheritance on a ${tagCount}-tag tree, ${fmt(calls)} calls each`)
  const results = []
  for (const [name, layer] of [
    ["PostgreSQL 15", pgDatabase(4)],
    ["PGlite memory", Database.layerMemory()]
  ] as const) {
    results.push(yield* measure(name, layer as Layer.Layer<Database.Database>))
  }
  yield* Console.log("")
  yield* Console.log(
    `${"database".padEnd(14)} ${"links".padStart(6)} ${"query p50".padStart(10)} ${"p99".padStart(6)} ${
      "service p50".padStart(12)
    } ${"p99".padStart(6)} ${"dispatcher p50".padStart(15)} ${"p99".padStart(6)} ${"logged-in p50".padStart(14)} ${
      "p99".padStart(6)
    }   (ms)`
  )
  for (const r of results) {
    yield* Console.log(
      `${r.name.padEnd(14)} ${String(r.links).padStart(6)} ${fmt(r.query.p50, 2).padStart(10)} ${fmt(r.query.p99, 2).padStart(6)} ${
        fmt(r.service.p50, 2).padStart(12)
      } ${fmt(r.service.p99, 2).padStart(6)} ${fmt(r.dispatcher.p50, 2).padStart(15)} ${fmt(r.dispatcher.p99, 2).padStart(6)} ${
        fmt(r.loggedIn.p50, 2).padStart(14)
      } ${fmt(r.loggedIn.p99, 2).padStart(6)}`
    )
  }
})

Effect.runPromise(program).catch((e) => {
  console.error(e)
  process.exit(1)
})
