/**
 * The scheduler under load on PostgreSQL: two hub instances (each with its own
 * connection pool, LISTEN connection, event stream reader and scheduler loop)
 * on one database, 2,000 tasks made through both, 20 builders simulated in
 * process (half on each hub), each looping `host.getTasks` -> `openTask` ->
 * `closeTask` (woken by its host's events). Half the tasks wait as a backlog
 * until the builders come up, the rest are made while they work. Every task must be assigned exactly once (one
 * `scheduler_task_runs` row), opened once, closed once, and all closed.
 */
import { Reactivity } from "@effect/experimental"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Fiber, Layer, Queue, Redacted, Stream } from "effect"
import { randomBytes, scryptSync } from "node:crypto"
import { inject } from "vitest"
import type * as KojiClient from "../src/client/KojiClient.js"
import * as Database from "../src/db/Database.js"
import { TaskState } from "../src/domain/Enums.js"
import * as TaskRequest from "../src/hub/TaskRequest.js"
import * as Builders from "./utils/Builders.js"
import * as TestHub from "./utils/Hub.js"
import { adminUrl, databaseUrl } from "./utils/pgUrl.js"

const TASKS = 2_000
const HOSTS = 20
const CHANNEL = "scale"

// a PostgreSQL database copied from the migrated template, dropped afterwards
const database = Effect.gen(function*() {
  const admin = yield* PgClient.make({ url: Redacted.make(adminUrl), maxConnections: 1 })
  const name = `koji_test_scale_${process.pid}_${Date.now().toString(36)}`
  yield* Effect.acquireRelease(
    admin`CREATE DATABASE ${admin(name)} TEMPLATE ${admin(inject("pgTemplate"))}`,
    () => Effect.orDie(admin`DROP DATABASE IF EXISTS ${admin(name)} WITH (FORCE)`)
  )
  return databaseUrl(name)
}).pipe(Effect.provide(Reactivity.layer))

// one hub instance with its own pool on the database
const hub = (url: string) =>
  Layer.build(TestHub.layer(
    Database.layerPg({ url: Redacted.make(url), maxConnections: 8 }).pipe(Layer.orDie),
    TestHub.transports[0][1]
  ))

interface Tally {
  readonly opened: Map<number, Array<number>>
  readonly closed: Map<number, number>
  readonly errors: Array<unknown>
}

// a cheap scrypt hash of the test hosts' password (the hub reads the cost from the hash): 20 logins in no time
const cheapHash = (() => {
  const salt = randomBytes(16)
  const key = scryptSync(Builders.hostPassword, salt, 32, { N: 1024, r: 8, p: 1 })
  return `scrypt$1024$8$1$${salt.toString("base64")}$${key.toString("base64")}`
})()

// a builder: take what the scheduler assigned, open it, close it; when it has nothing, wait for
// the next event about this host (its assignments) on the hub's event stream, polling every second
const builder = (client: KojiClient.Client, hostId: number, tally: Tally) =>
  Effect.gen(function*() {
    const done = yield* Effect.orDie(TaskRequest.encodeResult(true))
    const wake = yield* Queue.sliding<void>(1)
    yield* client.watch({ filter: { host: hostId, kinds: ["task.state"] } }).pipe(
      Stream.runForEach(() => wake.offer(undefined)),
      Effect.forkScoped
    )
    while (true) {
      const tasks = yield* client.host.getTasks({})
      for (const task of tasks) {
        const opened = yield* client.host.openTask({ task_id: task.id })
        if (opened === null) continue
        tally.opened.set(task.id, [...tally.opened.get(task.id) ?? [], hostId])
        yield* client.host.closeTask({ task_id: task.id, response: done })
        tally.closed.set(task.id, (tally.closed.get(task.id) ?? 0) + 1)
      }
      if (tasks.length === 0) yield* Effect.ignore(Effect.timeout(wake.take, "1 second"))
    }
  }).pipe(
    Effect.catchAllCause((cause) => Effect.sync(() => tally.errors.push(cause))),
    Effect.scoped
  )

describe("Scheduler at scale", () => {
  it.scopedLive("two hubs on one PostgreSQL, 2,000 tasks, 20 builders: each task assigned once, all closed", () =>
    Effect.gen(function*() {
      const url = yield* database
      const hubs = [yield* hub(url), yield* hub(url)] as const
      const on = <A, E>(i: number, effect: Effect.Effect<A, E, any>) =>
        Effect.provide(effect, hubs[i % 2]!) as Effect.Effect<A, E>
      const sql = Context.get(hubs[0], SqlClient.SqlClient)

      const admins = [yield* on(0, TestHub.admin), yield* on(1, TestHub.admin)]
      yield* admins[0]!.addChannel({ channel_name: CHANNEL })
      const channelId = (yield* admins[0]!.getChannel({ channelInfo: CHANNEL }))!.id

      const tally: Tally = { opened: new Map(), closed: new Map(), errors: [] }
      const builders: Array<Fiber.RuntimeFiber<unknown>> = []
      const hostIds: Array<number> = []
      for (let i = 0; i < HOSTS; i++) {
        const name = `scale-${i}`
        hostIds.push(yield* admins[0]!.addHost({ hostname: name, arches: ["x86_64"] }))
        yield* admins[0]!.editHost({ hostInfo: name, capacity: 10 })
        yield* admins[0]!.addHostToChannel({ hostname: name, channel_name: CHANNEL })
      }
      yield* sql`UPDATE users SET password = ${cheapHash} WHERE name LIKE 'scale-%'`

      // four admin sessions make the tasks, two on each hub (a session's calls are numbered: one at a time)
      const makers = [admins[0]!, admins[1]!, yield* on(0, TestHub.admin), yield* on(1, TestHub.admin)]
      let next = 0
      const make = (count: number) =>
        Effect.forEach(
          makers,
          (admin) =>
            Effect.forEach(
              Array.from({ length: count / makers.length }, () => next++),
              (n) => admin.makeTask({ method: "sleep", arglist: [n], channel: CHANNEL })
            ),
          { concurrency: "unbounded" }
        )
      const started = Date.now()
      // a backlog before any builder is ready: both hubs' schedulers race for it when they come up
      const made = [yield* make(TASKS / 2)]
      for (let i = 0; i < HOSTS; i++) {
        // half the builders talk to each hub
        const client = yield* on(i, Builders.hostClient(`scale-${i}`))
        builders.push(yield* Effect.forkScoped(builder(client, hostIds[i]!, tally)))
      }
      // and the rest while they work
      made.push(yield* make(TASKS / 2))
      const ids = made.flat(2).map(Number)
      expect(new Set(ids).size).toBe(TASKS)

      const closedCount = Effect.map(
        sql<{ n: number }>`SELECT count(*)::int AS n FROM task WHERE channel_id = ${channelId} AND state = ${TaskState.CLOSED}`,
        ([row]) => row!.n
      )
      yield* Builders.eventually(closedCount, (n) => n === TASKS || tally.errors.length > 0, "50 seconds")
      const seconds = (Date.now() - started) / 1000
      for (const fiber of builders) yield* Fiber.interrupt(fiber)
      expect(tally.errors).toEqual([])

      // exactly one run (assignment) per task, none left active
      const runs = yield* sql<{ task_id: number; n: number; active: number }>`
        SELECT r.task_id, count(*)::int AS n, count(*) FILTER (WHERE r.active)::int AS active
          FROM scheduler_task_runs r JOIN task t ON t.id = r.task_id
         WHERE t.channel_id = ${channelId} GROUP BY r.task_id`
      expect(runs).toHaveLength(TASKS)
      expect(runs.filter((r) => r.n !== 1)).toEqual([])
      expect(runs.filter((r) => r.active !== 0)).toEqual([])
      // each opened once, closed once, by the host it was assigned to
      expect(tally.opened.size).toBe(TASKS)
      expect([...tally.opened.values()].filter((hosts) => hosts.length !== 1)).toEqual([])
      expect(tally.closed.size).toBe(TASKS)
      expect([...tally.closed.values()].filter((n) => n !== 1)).toEqual([])
      const wrongHost = yield* sql<{ id: number }>`
        SELECT t.id FROM task t JOIN scheduler_task_runs r ON r.task_id = t.id
         WHERE t.channel_id = ${channelId} AND r.host_id IS DISTINCT FROM t.host_id`
      expect(wrongHost).toEqual([])
      // the builders of both hubs worked
      const workers = new Set([...tally.opened.values()].map((hosts) => hostIds.indexOf(hosts[0]!) % 2))
      expect([...workers].sort()).toEqual([0, 1])
      console.log(`scheduler scale: ${TASKS} tasks on ${HOSTS} builders via 2 hubs in ${seconds.toFixed(1)} s`)
    }), { timeout: 120_000 })
})
