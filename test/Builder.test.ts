import { describe, expect, layer } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Deferred, type Duration, Effect, Exit, Ref, Schema, Scope } from "effect"
import { mkdtempSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import * as path from "node:path"
import * as Builder from "../src/builder/Builder.js"
import * as Registry from "../src/builder/Registry.js"
import * as TaskHandler from "../src/builder/TaskHandler.js"
import * as KojiClient from "../src/client/KojiClient.js"
import { TaskState } from "../src/domain/Enums.js"
import * as Errors from "../src/domain/Errors.js"
import type * as Hub from "../src/hub/Hub.js"
import * as Builders from "./utils/Builders.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"

const workdir = mkdtempSync(path.join(tmpdir(), "koji-builder-test-"))

// start a builder daemon for `name` (already added as a host) in the current scope
const startBuilder = (name: string, handlers: ReadonlyArray<TaskHandler.TaskHandler> = [], maxjobs?: number) =>
  Effect.gen(function*() {
    // the builder lives until the test ends, or until its scope is closed
    const scope = yield* Effect.acquireRelease(Scope.make(), (scope) => Scope.close(scope, Exit.void))
    const hub = yield* Effect.context<Hub.Hub>()
    yield* Builder.run({
      hostname: name,
      client: Effect.provide(KojiClient.makeInProcess, hub),
      login: (client) => client.login({ user: name, password: Builders.hostPassword }),
      workdir: path.join(workdir, name),
      maxjobs,
      heartbeat: "1 second",
      pollInterval: "5 seconds"
    }).pipe(Effect.provide(Registry.layer(...handlers)), Scope.extend(scope))
    return scope
  })

const waitState = (id: number, states: ReadonlyArray<number>, timeout: Duration.DurationInput = "20 seconds") =>
  Builders.eventually(
    Effect.flatMap(TestHub.client, (c) => c.getTaskInfo({ task_id: id })),
    (t: any) => t !== null && states.includes(t.state),
    timeout
  )

describe("Builder", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    layer(TestHub.layer(Database, TestHub.transports[0][1]), { timeout: "120 seconds", excludeTestServices: true })(
      db,
      (it) => {
        it.scoped("runs Koji's generic handlers: sleep, waittest with a child that may fail, subtask chains", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            yield* admin.addChannel({ channel_name: "gen" })
            yield* Builders.addHost("gen-builder", { channels: ["gen"], capacity: 4 })
            yield* startBuilder("gen-builder")
            const sleep = yield* admin.makeTask({ method: "sleep", arglist: [0.05], channel: "gen" })
            const closed: any = yield* waitState(sleep, [TaskState.CLOSED])
            expect(closed.weight).toBe(0.25)
            const waittest = yield* admin.makeTask({ method: "waittest", arglist: [2, 0.05], channel: "gen" })
            yield* waitState(waittest, [TaskState.CLOSED, TaskState.FAILED])
            expect(yield* admin.getTaskInfo({ task_id: waittest })).toMatchObject({ state: TaskState.CLOSED })
            const children: any = yield* admin.getTaskChildren({ task_id: waittest })
            expect(children.map((c: any) => [c.label, c.state]).sort()).toEqual([
              ["0", TaskState.CLOSED],
              ["1", TaskState.CLOSED],
              ["bad", TaskState.FAILED]
            ])
            const bad = yield* Effect.flip(admin.getTaskResult({ taskId: children.find((c: any) => c.label === "bad").id }))
            expect(bad).toMatchObject({ _tag: "ParameterError" })
            // an unknown method on the builder: `default` is Koji's "Invalid method" task
            const unknown = yield* admin.makeTask({ method: "default", arglist: [], channel: "gen" })
            yield* waitState(unknown, [TaskState.FAILED])
            const invalid = yield* Effect.flip(admin.getTaskResult({ taskId: unknown }))
            expect(invalid.message).toBe("Invalid method: default")
          }))

        it.scoped("a running task's logs reach the hub as they grow, and all of them when it ends", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            yield* admin.addChannel({ channel_name: "logs" })
            yield* Builders.addHost("log-builder", { channels: ["logs"] })
            const release = yield* Deferred.make<void>()
            const chatty = TaskHandler.make({
              methods: ["chatty"],
              params: Schema.Tuple(),
              handler: (_, ctx) =>
                Effect.gen(function*() {
                  yield* ctx.log("first line")
                  yield* Effect.promise(() => writeFile(path.join(ctx.logDir, "build.log"), "building\n"))
                  yield* Deferred.await(release)
                  yield* ctx.log("last line")
                  return null
                })
            })
            yield* startBuilder("log-builder", [chatty])
            const id = yield* admin.makeTask({ method: "chatty", arglist: [], channel: "logs" })
            // while it runs: both logs are on the hub (the builder sends what is new every second)
            const early = yield* Builders.eventually(
              admin.listTaskOutput({ taskID: id }),
              (names: any) => names.includes("task.log") && names.includes("build.log"),
              "10 seconds"
            )
            expect(early).toEqual(expect.arrayContaining(["task.log", "build.log"]))
            const partial = new TextDecoder().decode(yield* admin.downloadTaskOutput({ taskID: id, fileName: "task.log" }))
            expect(partial).toBe("first line\n")
            yield* Deferred.succeed(release, undefined)
            yield* waitState(id, [TaskState.CLOSED])
            // once closed, everything it wrote is there (the last lines go before the task closes)
            const full = new TextDecoder().decode(yield* admin.downloadTaskOutput({ taskID: id, fileName: "task.log" }))
            expect(full).toBe("first line\nlast line\n")
          }))

        it.scoped("restartHosts: each host restarts once idle (foreground tasks) and restartVerify sees it", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            yield* admin.addChannel({ channel_name: "rst" })
            yield* Builders.addHost("rst-builder", { channels: ["rst"] })
            yield* startBuilder("rst-builder")
            const id = yield* admin.makeTask({ method: "restartHosts", arglist: [{ channel: "rst" }], channel: "rst" })
            yield* waitState(id, [TaskState.CLOSED, TaskState.FAILED], "30 seconds")
            const children: any = yield* admin.getTaskChildren({ task_id: id })
            expect(children.map((c: any) => [c.method, c.state])).toEqual([
              ["restart", TaskState.CLOSED],
              ["restartVerify", TaskState.CLOSED]
            ])
            expect(yield* admin.getTaskInfo({ task_id: id })).toMatchObject({ state: TaskState.CLOSED })
            expect(yield* admin.getTaskResult({ taskId: children[0].id })).toBe("graceful restart initiated")
          }))

        it.scoped("a team's own handler, its result, a refused method, and the pickup without polling", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            yield* admin.addChannel({ channel_name: "own" })
            const hello = TaskHandler.make({
              methods: ["hello"],
              weight: 0.5,
              params: Schema.Tuple(Schema.String),
              handler: ([who], ctx) => Effect.succeed({ greeting: `hello ${who}`, task: ctx.id })
            })
            yield* Builders.addHost("own-builder", { channels: ["own"] })
            yield* startBuilder("own-builder", [hello])
            const started = Date.now()
            const id = yield* admin.makeTask({ method: "hello", arglist: ["world"], channel: "own" })
            yield* waitState(id, [TaskState.CLOSED])
            // heard of at once: far below the fallback poll (5 s) and Koji's 15 s sleeptime
            expect(Date.now() - started).toBeLessThan(3000)
            expect(yield* admin.getTaskResult({ taskId: id })).toEqual({ greeting: "hello world", task: id })
            // no handler: refused for good (hard), and the scheduler says so
            const nobody = yield* admin.makeTask({ method: "noSuchMethod", arglist: [], channel: "own" })
            yield* Builders.eventually(admin.scheduler.getTaskRefusals({ clauses: [["task_id", "=", nobody]] }), (r) => r.length > 0)
            const refusals: any = yield* admin.scheduler.getTaskRefusals({ clauses: [["task_id", "=", nobody]] })
            expect(refusals[0]).toMatchObject({ soft: false, by_host: true, msg: "no handler for method noSuchMethod" })
            const why = yield* admin.scheduler.explain({ task_id: nobody })
            expect(why.join("\n")).toContain("refused by own-builder: no handler for method noSuchMethod")
            yield* admin.cancelTask({ task_id: nobody })
          }))

        it.scoped("a cancel reaches the running handler at once; maxjobs holds; stopping hands tasks back", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            yield* admin.addChannel({ channel_name: "long" })
            const interrupted = yield* Ref.make<Array<number>>([])
            const running = yield* Ref.make(0)
            const peak = yield* Ref.make(0)
            const gate = yield* Deferred.make<void>()
            const block = TaskHandler.make({
              methods: ["block"],
              params: Schema.Array(Schema.Unknown),
              handler: (_, ctx) =>
                Effect.gen(function*() {
                  const n = yield* Ref.updateAndGet(running, (x) => x + 1)
                  yield* Ref.update(peak, (p) => Math.max(p, n))
                  yield* Deferred.await(gate)
                  return null
                }).pipe(
                  Effect.onInterrupt(() => Ref.update(interrupted, (xs) => [...xs, ctx.id])),
                  Effect.ensuring(Ref.update(running, (x) => x - 1))
                )
            })
            yield* Builders.addHost("long-builder", { channels: ["long"], capacity: 10 })
            const scope = yield* startBuilder("long-builder", [block], 2)
            const ids: Array<number> = []
            for (let i = 0; i < 4; i++) ids.push(yield* admin.makeTask({ method: "block", arglist: [i], channel: "long" }))
            yield* Builders.eventually(Ref.get(running), (n) => n === 2)
            // cancel one that runs: its handler is interrupted, another starts in its place
            const open: any = yield* admin.listTasks({ opts: { state: [TaskState.OPEN], method: "block" } })
            const victim = open[0].id as number
            yield* admin.cancelTask({ task_id: victim })
            yield* Builders.eventually(Ref.get(interrupted), (xs) => xs.includes(victim))
            yield* Builders.eventually(Ref.get(running), (n) => n === 2)
            expect(yield* Ref.get(peak)).toBe(2)
            // stopping the builder hands its running tasks back (FREE) and says it is not ready
            const openNow: any = yield* admin.listTasks({ opts: { state: [TaskState.OPEN], method: "block" } })
            yield* Scope.close(scope, Exit.void)
            for (const task of openNow) {
              const info: any = yield* admin.getTaskInfo({ task_id: task.id })
              expect([TaskState.FREE, TaskState.ASSIGNED]).toContain(info.state)
            }
            expect(yield* admin.getHost({ hostInfo: "long-builder" })).toMatchObject({ ready: false })
            for (const id of ids) yield* Effect.ignore(admin.cancelTask({ task_id: id }))
            yield* Deferred.succeed(gate, undefined)
            const canceled = yield* Effect.flip(admin.getTaskResult({ taskId: victim }))
            expect(Errors.isA(canceled, "GenericError")).toBe(true)
          }))
      }
    )

    // tagBuild end to end: the hub checks, a tagBuild task, the builder's handler, host.tagBuild
    layer(
      TestHub.layer(Database, TestHub.transports[0][1], {
        policy: {
          tag: "tag closed-tag :: deny no tagging into closed-tag\nall :: allow",
          volume: "package archived-* :: archive\nall :: DEFAULT"
        }
      }),
      { timeout: "120 seconds", excludeTestServices: true }
    )(`${db} tagBuild`, (it) => {
      it.scoped("the volume policy places new builds", () =>
        Effect.gen(function*() {
          const admin = yield* TestHub.admin
          const sql = yield* SqlClient.SqlClient
          yield* sql`INSERT INTO volume (name) VALUES ('archive') ON CONFLICT DO NOTHING`
          const moved = yield* admin.createEmptyBuild({ name: "archived-thing", version: "1", release: "1", epoch: null })
          const stays = yield* admin.createEmptyBuild({ name: "current-thing", version: "1", release: "1", epoch: null })
          expect(yield* admin.getBuild({ buildInfo: moved })).toMatchObject({ volume_name: "archive" })
          expect(yield* admin.getBuild({ buildInfo: stays })).toMatchObject({ volume_name: "DEFAULT" })
        }))

      it.scoped("tagBuild makes a priority-10 tagBuild task that the builder completes through host.tagBuild", () =>
        Effect.gen(function*() {
          const admin = yield* TestHub.admin
          yield* admin.createTag({ name: "e2e-dest" })
          yield* admin.createTag({ name: "closed-tag" })
          for (const tag of ["e2e-dest", "closed-tag"]) {
            yield* admin.packageListAdd({ taginfo: tag, pkginfo: "hello", owner: "admin" })
          }
          const build = yield* admin.createEmptyBuild({ name: "hello", version: "1.0", release: "1", epoch: null })
          yield* Builders.addHost("tag-builder")
          yield* startBuilder("tag-builder")
          const task = yield* admin.tagBuild({ tag: "e2e-dest", build: "hello-1.0-1" })
          expect(yield* admin.getTaskInfo({ task_id: task, request: true })).toMatchObject({
            method: "tagBuild",
            priority: 10,
            request: [expect.any(Number), build, false, null]
          })
          yield* waitState(task, [TaskState.CLOSED, TaskState.FAILED])
          expect(yield* admin.getTaskInfo({ task_id: task })).toMatchObject({ state: TaskState.CLOSED })
          const tagged: any = yield* admin.listTagged({ tag: "e2e-dest" })
          expect(tagged.map((b: any) => b.nvr)).toEqual(["hello-1.0-1"])
          // the tag policy refuses before any task is made
          const denied = yield* Effect.flip(admin.tagBuild({ tag: "closed-tag", build: "hello-1.0-1" }))
          expect(denied).toMatchObject({ _tag: "ActionNotAllowed" })
          expect(denied.message).toContain("policy violation (tag)")
          // host.tagBuild is for the host that runs the task
          const notHost = yield* Effect.flip(admin.host.tagBuild({ task_id: task, tag: "e2e-dest", build }))
          expect(Errors.isA(notHost, "AuthError")).toBe(true)
        }))
    })
  }
})
