/**
 * The task scheduler, on PostgreSQL and on PGlite in memory, one hub in process:
 *
 * 1. Throughput: 10,000 FREE tasks (5 owners, mixed arches, two channels) and
 *    200 ready hosts of mixed arches, channels and capacities (room for all);
 *    the time for the scheduler to assign them all, and assignments/s.
 * 2. Pickup latency: 1,000 tasks made one after the other; for each, the time
 *    from `makeTask` returning to a builder hearing of its assignment on the
 *    event stream (`events.watch`, filtered to its host), and to its
 *    `host.openTask` returning (where a builder's handler starts); p50/p99. The
 *    builders (10 hosts in their own channel) close each task once opened.
 *
 *   node --import tsx bench/scheduler.ts [tasks] [hosts] [latency tasks]
 */
import { SqlClient } from "@effect/sql"
import { Console, Deferred, Effect, Layer, type Scope, Stream } from "effect"
import * as KojiClient from "../src/client/KojiClient.js"
import * as Database from "../src/db/Database.js"
import * as Bootstrap from "../src/hub/Bootstrap.js"
import * as Hub from "../src/hub/Hub.js"
import * as HubConfig from "../src/hub/HubConfig.js"
import * as Passwords from "../src/hub/Passwords.js"
import { Scheduler } from "../src/hub/Scheduler.js"
import * as TaskRequest from "../src/hub/TaskRequest.js"
import * as Versioned from "../src/hub/Versioned.js"
import { fmt, pgDatabase, percentile } from "./utils.js"
import * as FileStore from "../src/storage/FileStore.js"

const TASKS = Number(process.argv[2] ?? 10_000)
const HOSTS = Number(process.argv[3] ?? 200)
const LATENCY_TASKS = Number(process.argv[4] ?? 1_000)
const adminPassword = "bench-admin-password"
const hostPassword = "bench-host-password"

const FREE = 0
const ASSIGNED = 4
const OPEN = 1

// a hub on `database`, migrated, with an admin
const hubOn = (database: Layer.Layer<Database.Database>) =>
  Hub.layer.pipe(
    Layer.provideMerge(Layer.effectDiscard(Bootstrap.ensureAdmin({ password: adminPassword }))),
    Layer.provideMerge(HubConfig.layer()),
    Layer.provideMerge(FileStore.layerMemory),
    Layer.provideMerge(Layer.provideMerge(Database.layerMigrated, database)),
    Layer.orDie
  )

const client = (user: string, password: string) =>
  Effect.gen(function*() {
    const c = yield* KojiClient.makeInProcess
    yield* c.login({ user, password })
    return c
  })

// host i: its arches, channels, capacity and maxjobs (mixed; room for every task)
const hostArches = (i: number) =>
  i % 10 < 5 ? ["x86_64", "i686"] : i % 10 < 7 ? ["aarch64"] : i % 10 < 9 ? ["ppc64le"] : ["s390x"]
const hostCapacity = (i: number) => [40, 60, 80, 120][i % 4]!
const taskArch = (n: number) =>
  n % 20 < 10 ? "noarch" : n % 20 < 15 ? "x86_64" : n % 20 < 18 ? "aarch64" : n % 20 < 19 ? "ppc64le" : "s390x"

// `count` hosts named `${prefix}-i`, in `default` (and `heavy` for every fifth), ready, with maxjobs
const addHosts = (admin: KojiClient.Client, prefix: string, count: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const ids: Array<number> = []
    for (let i = 0; i < count; i++) {
      const name = `${prefix}-${i}`
      const id = yield* admin.addHost({ hostname: name, arches: hostArches(i) })
      yield* admin.editHost({ hostInfo: id, capacity: hostCapacity(i) })
      if (i % 5 === 0) yield* admin.addHostToChannel({ hostname: name, channel_name: "heavy", create: true })
      ids.push(id)
    }
    const hash = yield* Passwords.hash(hostPassword)
    yield* sql`UPDATE users SET password = ${hash} WHERE name LIKE ${`${prefix}-%`}`
    yield* sql`
      INSERT INTO scheduler_host_data (host_id, data)
      SELECT id, jsonb_build_object('maxjobs', 200) FROM host WHERE name LIKE ${`${prefix}-%`}`
    return ids
  })

const throughput = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const scheduler = yield* Scheduler
  const admin = yield* client("admin", adminPassword)
  yield* addHosts(admin, "bench", HOSTS)
  const channels = new Map(
    (yield* sql<{ id: number; name: string }>`SELECT id, name FROM channels`).map((c) => [c.name, c.id])
  )
  const owners = yield* sql<{ id: number }>`
    INSERT INTO users (name, status, usertype)
    SELECT 'owner-' || n, 0, 0 FROM generate_series(1, 5) n RETURNING id`
  const request = yield* TaskRequest.encodeRequest("sleep", [1], null)
  for (let offset = 0; offset < TASKS; offset += 1000) {
    const rows = Array.from({ length: Math.min(1000, TASKS - offset) }, (_, k) => {
      const n = offset + k
      return {
        state: FREE,
        owner: owners[n % owners.length]!.id,
        method: "sleep",
        request,
        priority: 20,
        channel_id: n % 5 === 0 ? channels.get("heavy")! : channels.get("default")!,
        arch: taskArch(n)
      }
    })
    yield* sql`INSERT INTO task ${sql.insert(rows)}`
  }
  // every host ready at once; then the scheduler assigns everything
  yield* sql`UPDATE host SET ready = TRUE, update_time = now() WHERE name LIKE 'bench-%'`
  // one run: passes over batches of `batchSize` until nothing more can be assigned
  const started = performance.now()
  const { assigned } = yield* scheduler.run(true)
  const seconds = (performance.now() - started) / 1000
  const [left] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM task WHERE state = ${FREE}`
  const [runs] = yield* sql<{ n: number; tasks: number }>`
    SELECT count(*)::int AS n, count(DISTINCT task_id)::int AS tasks FROM scheduler_task_runs`
  // capacity and maxjobs held
  const [over] = yield* sql<{ n: number }>`
    SELECT count(*)::int AS n FROM (
      SELECT t.host_id, sum(t.weight) AS load, count(*) AS n, max(hc.capacity) AS capacity
        FROM task t JOIN host_config hc ON hc.host_id = t.host_id AND hc.active IS TRUE
       WHERE t.state IN (${ASSIGNED}, ${OPEN}) GROUP BY t.host_id) x
     WHERE x.load > x.capacity OR x.n > 200`
  if (left!.n !== 0 || runs!.n !== TASKS || runs!.tasks !== TASKS || over!.n !== 0) {
    return yield* Effect.dieMessage(
      `assigned ${assigned}, FREE left ${left!.n}, runs ${runs!.n} for ${runs!.tasks} tasks, hosts over ${over!.n}`
    )
  }
  return { seconds, rate: TASKS / seconds }
})

const latency = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const admin = yield* client("admin", adminPassword)
  yield* admin.addChannel({ channel_name: "latency" })
  const ids = yield* addHosts(admin, "lat", 10)
  for (let i = 0; i < ids.length; i++) {
    yield* admin.addHostToChannel({ hostname: `lat-${i}`, channel_name: "latency" })
  }
  // the builders: logged in, ready, each following its own events
  const heard = new Map<number, Deferred.Deferred<number>>()
  const opened = new Map<number, Deferred.Deferred<number>>()
  const slot = (map: Map<number, Deferred.Deferred<number>>, id: number) =>
    Effect.gen(function*() {
      const existing = map.get(id)
      if (existing !== undefined) return existing
      const d = yield* Deferred.make<number>()
      map.set(id, d)
      return d
    })
  const done = yield* Effect.orDie(TaskRequest.encodeResult(true))
  for (let i = 0; i < ids.length; i++) {
    const host = yield* client(`lat-${i}`, hostPassword)
    yield* host.exclusiveSession({})
    yield* host.host.updateHost({ task_load: 0, ready: true })
    yield* host.watch({ filter: { host: ids[i]!, kinds: ["task.state"] } }).pipe(
      Stream.filter((e) => e.data.state === ASSIGNED && e.task_id !== null),
      Stream.runForEach((e) =>
        Effect.gen(function*() {
          const at = performance.now()
          yield* Deferred.succeed(yield* slot(heard, e.task_id!), at)
          const task = yield* host.host.openTask({ task_id: e.task_id! })
          if (task === null) return
          yield* Deferred.succeed(yield* slot(opened, e.task_id!), performance.now())
          // the handler's work is nothing: the task closes, its slot is free again
          yield* host.host.closeTask({ task_id: e.task_id!, response: done })
        })
      ),
      Effect.forkScoped
    )
  }
  yield* sql`UPDATE host SET ready = TRUE, update_time = now() WHERE name LIKE 'lat-%'`
  yield* Effect.sleep("500 millis")
  const toHear: Array<number> = []
  const toOpen: Array<number> = []
  for (let n = 0; n < LATENCY_TASKS; n++) {
    const id = yield* admin.makeTask({ method: "sleep", arglist: [n], channel: "latency" })
    const made = performance.now()
    toHear.push((yield* Deferred.await(yield* slot(heard, id))) - made)
    toOpen.push((yield* Deferred.await(yield* slot(opened, id))) - made)
  }
  toHear.sort((a, b) => a - b)
  toOpen.sort((a, b) => a - b)
  return {
    heard: { p50: percentile(toHear, 50), p99: percentile(toHear, 99), max: toHear[toHear.length - 1]! },
    opened: { p50: percentile(toOpen, 50), p99: percentile(toOpen, 99), max: toOpen[toOpen.length - 1]! }
  }
})

const onFresh = <A, E>(
  database: () => Layer.Layer<Database.Database>,
  effect: Effect.Effect<A, E, Hub.Hub | SqlClient.SqlClient | Scope.Scope>
) =>
  // (withFreshEvent: Bootstrap.ensureAdmin leaves its event id cached in the building fiber)
  Versioned.withFreshEvent(Effect.scoped(Effect.provide(effect, hubOn(database()))))

const program = Effect.gen(function*() {
  yield* Console.log(
    `koji-ts bench/scheduler: ${fmt(TASKS)} FREE tasks on ${HOSTS} hosts; pickup latency over ${fmt(LATENCY_TASKS)} tasks`
  )
  const results = []
  for (const [name, database] of [
    ["PostgreSQL 15", () => pgDatabase()],
    ["PGlite memory", () => Database.layerMemory()]
  ] as const) {
    const t = yield* onFresh(database as () => Layer.Layer<Database.Database>, throughput)
    yield* Console.log(`${name}: assigned ${fmt(TASKS)} in ${fmt(t.seconds, 2)} s`)
    const l = yield* onFresh(database as () => Layer.Layer<Database.Database>, latency)
    results.push({ name, t, l })
  }
  yield* Console.log("")
  yield* Console.log(
    `${"database".padEnd(14)} ${"assign s".padStart(9)} ${"assigned/s".padStart(11)} ${"heard p50".padStart(10)} ${
      "p99".padStart(7)
    } ${"opened p50".padStart(11)} ${"p99".padStart(7)} (ms)`
  )
  for (const r of results) {
    yield* Console.log(
      `${r.name.padEnd(14)} ${fmt(r.t.seconds, 2).padStart(9)} ${fmt(r.t.rate).padStart(11)} ${
        fmt(r.l.heard.p50, 1).padStart(10)
      } ${fmt(r.l.heard.p99, 1).padStart(7)} ${fmt(r.l.opened.p50, 1).padStart(11)} ${fmt(r.l.opened.p99, 1).padStart(7)}`
    )
  }
})

Effect.runPromise(program).catch((e) => {
  console.error(e)
  process.exit(1)
})
