/**
 * `getLatestBuilds` on a big tag tree: a tree 4 levels deep (1 + 3 + 9 + 27 tags),
 * 10,000 packages listed on the root (100 of them blocked on one branch), 50,000
 * builds (5 per package) tagged across the tree, more than half of them on the
 * chain from the root to the measured leaf. Fixtures are bulk-inserted by SQL.
 *
 * Timed: the `Tagging` service's `readTaggedBuilds(leaf, inherit, latest)` (the
 * inheritance walk and the one query), and the whole `getLatestBuilds` hub call
 * in process (dispatch and result encoding too); p50 / p99 over the runs, on
 * PostgreSQL and on PGlite (on disk).
 *
 *   node --import tsx bench/latest-builds.ts [runs]
 */
import { SqlClient } from "@effect/sql"
import { Console, Effect, Layer } from "effect"
import { pathToFileURL } from "node:url"
import * as KojiClient from "../src/client/KojiClient.js"
import * as Database from "../src/db/Database.js"
import * as Bootstrap from "../src/hub/Bootstrap.js"
import * as Hub from "../src/hub/Hub.js"
import * as HubConfig from "../src/hub/HubConfig.js"
import * as Inheritance from "../src/hub/Inheritance.js"
import * as Policy from "../src/hub/Policy.js"
import { Tagging } from "../src/hub/Tagging.js"
import * as Tagging_ from "../src/hub/Tagging.js"
import * as Versioned from "../src/hub/Versioned.js"
import { fmt, percentile, pgDatabase, pgliteDisk } from "./utils.js"
import * as FileStore from "../src/storage/FileStore.js"

const runs = Number(process.argv[2] ?? 50)
const packages = 10_000
const buildsPerPackage = 5
const branching = 3
const depth = 4

// a small deterministic generator (mulberry32)
const random = (seed: number) => () => {
  seed = (seed + 0x6D2B79F5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** The tree, packages, builds and taggings (bulk SQL); answers the leaf's id. */
export const fixtures = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [admin] = yield* sql<{ id: number }>`SELECT id FROM users WHERE name = 'admin'`
  const userId = admin!.id
  const [event] = yield* sql<{ id: number }>`SELECT get_event() AS id`
  // the tree: level by level, each tag with `branching` children
  const levels: Array<Array<number>> = []
  let counter = 0
  for (let level = 0; level < depth; level++) {
    const parents = level === 0 ? [undefined] : levels[level - 1]!
    const ids: Array<number> = []
    for (const parent of parents) {
      for (let i = 0; i < (level === 0 ? 1 : branching); i++) {
        const [tag] = yield* sql<{ id: number }>`INSERT INTO tag (name) VALUES (${`bench-${level}-${counter++}`}) RETURNING id`
        yield* sql`INSERT INTO tag_config ${sql.insert({ tag_id: tag!.id, arches: "x86_64", create_event: event!.id, creator_id: userId })}`
        if (parent !== undefined) {
          yield* sql`INSERT INTO tag_inheritance ${
            sql.insert({ tag_id: tag!.id, parent_id: parent, priority: 10, create_event: event!.id, creator_id: userId })
          }`
        }
        ids.push(tag!.id)
      }
    }
    levels.push(ids)
  }
  const all = levels.flat()
  const root = levels[0]![0]!
  const leaf = levels[depth - 1]![0]!
  // the chain from the leaf up: the leaf, then its first-born ancestors
  const chain = [leaf, ...levels.slice(0, depth - 1).map((l) => l[0]!).reverse()]

  yield* sql`INSERT INTO package (name) SELECT 'bench-pkg-' || g FROM generate_series(1, ${packages}) g`
  yield* sql`
    INSERT INTO tag_packages (package_id, tag_id, blocked, create_event, creator_id)
    SELECT id, ${root}, FALSE, ${event!.id}, ${userId} FROM package WHERE name LIKE 'bench-pkg-%'`
  yield* sql`
    INSERT INTO tag_package_owners (package_id, tag_id, owner, create_event, creator_id)
    SELECT id, ${root}, ${userId}, ${event!.id}, ${userId} FROM package WHERE name LIKE 'bench-pkg-%'`
  // 100 packages blocked on the leaf's branch (level 1)
  yield* sql`
    INSERT INTO tag_packages (package_id, tag_id, blocked, create_event, creator_id)
    SELECT id, ${chain[depth - 2]!}, TRUE, ${event!.id}, ${userId} FROM package
     WHERE name LIKE 'bench-pkg-%' ORDER BY id LIMIT 100`
  yield* sql`
    INSERT INTO build (pkg_id, version, release, epoch, state, volume_id, owner, create_event, start_time, completion_time)
    SELECT p.id, v::text, '1', NULL, 1, 0, ${userId}, ${event!.id}, now(), now()
      FROM package p CROSS JOIN generate_series(1, ${buildsPerPackage}) v
     WHERE p.name LIKE 'bench-pkg-%'`
  const builds = yield* sql<{ id: number }>`
    SELECT build.id FROM build JOIN package ON package.id = build.pkg_id
     WHERE package.name LIKE 'bench-pkg-%' ORDER BY build.id`
  // tagging events: 500 of them, taggings spread over them in order
  const [first] = yield* sql<{ id: number }>`
    SELECT min(id) AS id FROM (SELECT get_event() AS id FROM generate_series(1, 500)) e`
  const next = random(7)
  const rows = builds.map((b, i) => ({
    build_id: b.id,
    // 60% on the leaf's chain, the rest anywhere in the tree
    tag_id: next() < 0.6 ? chain[Math.floor(next() * chain.length)]! : all[Math.floor(next() * all.length)]!,
    create_event: first!.id + Math.floor((i / builds.length) * 500),
    creator_id: userId
  }))
  for (let i = 0; i < rows.length; i += 5_000) {
    yield* sql`INSERT INTO tag_listing ${sql.insert(rows.slice(i, i + 5_000))}`
  }
  yield* sql`ANALYZE`
  return { leaf, tags: all.length, onChain: rows.filter((r) => chain.includes(r.tag_id)).length }
})

const time = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    yield* effect // warm up
    const samples: Array<number> = []
    let size = 0
    for (let i = 0; i < runs; i++) {
      const started = performance.now()
      const result = yield* effect
      samples.push(performance.now() - started)
      size = Array.isArray(result) ? result.length : 0
    }
    samples.sort((a, b) => a - b)
    return { p50: percentile(samples, 50), p99: percentile(samples, 99), size }
  })

const measure = (name: string, database: Layer.Layer<Database.Database>) =>
  Effect.gen(function*() {
    const made = yield* fixtures
    const tagging = yield* Tagging
    const client = yield* KojiClient.makeInProcess
    const walk = yield* time(Inheritance.fullInheritance(made.leaf))
    const service = yield* time(tagging.readTaggedBuilds(made.leaf, { inherit: true, latest: true }))
    const call = yield* time(client.getLatestBuilds({ tag: made.leaf }))
    return { name, made, walk, service, call }
  }).pipe(
    Effect.scoped,
    Effect.provide(
      Layer.mergeAll(Hub.layer, Tagging_.layer).pipe(
        Layer.provideMerge(Layer.effectDiscard(Bootstrap.ensureAdmin({ password: "bench" }))),
        Layer.provideMerge(Policy.layer),
        Layer.provideMerge(HubConfig.layer({})),
        Layer.provideMerge(FileStore.layerMemory),
        Layer.provideMerge(Layer.provideMerge(Database.layerMigrated, database))
      )
    )
  )

const program = Effect.gen(function*() {
  yield* Console.log(
    `koji-ts bench/latest-builds: ${fmt(packages)} packages, ${fmt(packages * buildsPerPackage)} builds tagged across a ` +
      `${depth}-level tag tree; getLatestBuilds on a leaf, ${runs} runs`
  )
  const results = []
  for (const [name, layer] of [["PostgreSQL 15", pgDatabase(4)], ["PGlite on disk", pgliteDisk()]] as const) {
    // each database its own events (the current event is cached per call)
    results.push(yield* Versioned.withFreshEvent(measure(name, layer as Layer.Layer<Database.Database>)))
  }
  const first = results[0]!
  yield* Console.log(
    `tree: ${first.made.tags} tags; ${fmt(first.made.onChain)} taggings on the leaf's chain; ${fmt(first.service.size)} latest builds`
  )
  yield* Console.log("")
  yield* Console.log(
    `${"database".padEnd(16)} ${"walk p50".padStart(9)} ${"query p50".padStart(10)} ${"query p99".padStart(10)} ${
      "call p50".padStart(9)
    } ${"call p99".padStart(9)}   (ms)`
  )
  for (const r of results) {
    yield* Console.log(
      `${r.name.padEnd(16)} ${fmt(r.walk.p50, 2).padStart(9)} ${fmt(r.service.p50, 1).padStart(10)} ${
        fmt(r.service.p99, 1).padStart(10)
      } ${fmt(r.call.p50, 1).padStart(9)} ${fmt(r.call.p99, 1).padStart(9)}`
    )
  }
})

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  Effect.runPromise(program).catch((e) => {
    console.error(e)
    process.exit(1)
  })
}
