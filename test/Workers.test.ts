/**
 * The hub daemon with several worker processes on one PostgreSQL (`KOJI_HUB_WORKERS`), as an
 * operator runs it: the database made ready once, one port served by every worker, a worker that
 * dies replaced while the others serve, every worker stopped with the daemon. PGlite (one
 * process) refuses workers with a clear message.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as KojiClient from "../src/client/KojiClient.js"
import * as Daemons from "./utils/Daemons.js"
import * as TestDatabases from "./utils/Databases.js"

const hubMain = "apps/hub/main.ts"

const tempHome = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-workers-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

// the hub worker processes of the daemon `pid` (its children running the hub's main)
const workersOf = (pid: number) => {
  const out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(pid)], { encoding: "utf8" })
  return out.split("\n").filter((line) => line.includes(hubMain)).map((line) => Number(line.trim().split(/\s+/)[0]))
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

// wait until `done` holds (checked every 200 ms, 60 s at most)
const until = (done: () => boolean) =>
  Effect.sync(done).pipe(
    Effect.repeat({ schedule: Schedule.spaced("200 millis"), until: (ok) => ok }),
    Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => new Error("timed out") }),
    Effect.orDie
  )

describe("hub workers", () => {
  it.scopedLive("two workers on an empty PostgreSQL: migrated once, one ready line, a killed worker replaced, all stopped with the daemon", () =>
    Effect.gen(function*() {
      const url = yield* TestDatabases.pgDatabaseUrl()
      const hub = yield* Daemons.start(hubMain, {
        KOJI_HUB_WORKERS: "2",
        KOJI_DATABASE_URL: url,
        KOJI_HOME: yield* tempHome,
        KOJI_ADMIN_PASSWORD: "workers-admin"
      })
      const output = hub.output()
      expect(output).toContain("koji-ts: 2 hub workers")
      expect(output.match(/koji-ts ready at/g)).toHaveLength(1)
      expect(output.match(/created user "admin"/g)).toHaveLength(1)
      const first = workersOf(hub.child.pid!)
      expect(first).toHaveLength(2)

      // a session holds whichever worker answers (sessions live in the database)
      const admin = yield* KojiClient.makeXmlRpc({ url: `${hub.url}/kojihub` })
      yield* admin.login({ user: "admin", password: "workers-admin" })
      for (let i = 0; i < 6; i++) yield* admin.createUser({ username: `worker-user-${i}` })
      const readers = yield* Effect.forEach(Array.from({ length: 8 }), () => KojiClient.makeXmlRpc({ url: `${hub.url}/kojihub` }))
      const found = yield* Effect.forEach(readers, (reader, i) => reader.getUser({ userInfo: `worker-user-${i % 6}` }), {
        concurrency: "unbounded"
      })
      expect(found.map((user) => user?.name)).toEqual(readers.map((_, i) => `worker-user-${i % 6}`))

      // each worker killed in turn: the other serves meanwhile, and it is replaced
      const count = (pattern: RegExp) => (hub.output().match(pattern) ?? []).length
      for (const [i, victim] of first.entries()) {
        process.kill(victim, "SIGKILL")
        yield* until(() => count(/hub worker \d+ exited \(SIGKILL\); starting another/g) === i + 1)
        const anon = yield* KojiClient.makeXmlRpc({ url: `${hub.url}/kojihub` })
        expect(yield* anon.getUser({ userInfo: "worker-user-3" })).toMatchObject({ name: "worker-user-3" })
        yield* until(() => count(/hub worker \d+ serves in its place/g) === i + 1)
        expect(workersOf(hub.child.pid!).filter((pid) => pid !== victim)).toHaveLength(2)
      }
      expect(yield* admin.getLoggedInUser({})).toMatchObject({ name: "admin" })

      // the daemon stops its workers and ends cleanly
      const last = workersOf(hub.child.pid!)
      expect(yield* Daemons.stop(hub.child)).toBe(0)
      expect(last.filter(alive)).toEqual([])
    }), 180_000)

  it.live("several workers need PostgreSQL: on PGlite the daemon says so and exits", () =>
    Effect.scoped(Effect.gen(function*() {
      const home = yield* tempHome
      const refused = yield* Daemons.runToEnd(hubMain, { KOJI_HUB_WORKERS: "2", KOJI_DATABASE_URL: undefined, KOJI_HOME: home })
      expect(refused.code).not.toBe(0)
      expect(refused.output).toContain("2 hub workers need PostgreSQL (set KOJI_DATABASE_URL)")
      const invalid = yield* Daemons.runToEnd(hubMain, { KOJI_HUB_WORKERS: "0", KOJI_HOME: home })
      expect(invalid.code).not.toBe(0)
      expect(invalid.output).toContain("Expected a number of hub workers, at least 1")
    })), 120_000)
})
