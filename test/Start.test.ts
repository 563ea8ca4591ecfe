/**
 * `npm start` as a user runs it: the all-in-one in a temporary KOJI_HOME.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as KojiClient from "../src/client/KojiClient.js"
import { BuildState, TaskState } from "../src/domain/Enums.js"
import type { Task } from "../src/domain/Task.js"
import * as TestBuilders from "./utils/Builders.js"
import * as Daemons from "./utils/Daemons.js"
import * as GitRepo from "./utils/GitRepo.js"

const allInOne = "apps/all-in-one/main.ts"

// `npm start` in `home`
const start = (home: string, env: Record<string, string> = {}) => Daemons.start(allInOne, { KOJI_HOME: home, ...env })
const stop = Daemons.stop

describe("npm start", () => {
  it.live("prints the ready line, the admin logs in, data survives a restart", () =>
    Effect.gen(function*() {
      const home = Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-start-"))
      // first start: no KOJI_ADMIN_PASSWORD, so one is generated and printed once
      const first = yield* Effect.scoped(Effect.gen(function*() {
        const hub = yield* start(home)
        const password = /password: (\S+)/.exec(hub.output())?.[1]
        expect(password).toBeDefined()
        expect(hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        const admin = yield* KojiClient.makeHttp({ url: `${hub.url}/api` })
        yield* admin.login({ user: "admin", password: password! })
        expect(yield* admin.getLoggedInUser({})).toMatchObject({ name: "admin" })
        yield* admin.createUser({ username: "kept", password: "kept-password" })
        const code = yield* stop(hub.child)
        expect(code).toBe(0)
        return password!
      }))
      // second start: same home, the admin is not created again and the user is still there
      yield* Effect.scoped(Effect.gen(function*() {
        const hub = yield* start(home)
        expect(hub.output()).not.toContain("password:")
        const kept = yield* KojiClient.makeHttp({ url: `${hub.url}/api` })
        yield* kept.login({ user: "kept", password: "kept-password" })
        expect(yield* kept.getLoggedInUser({})).toMatchObject({ name: "kept" })
        const admin = yield* KojiClient.makeHttp({ url: `${hub.url}/api` })
        yield* admin.login({ user: "admin", password: first })
      }))
      Fs.rmSync(home, { recursive: true, force: true })
    }), 180_000)

  it.live("builds a git commit through Koji's XML-RPC build call; the RPM downloads from /kojifiles/", () =>
    Effect.scoped(Effect.gen(function*() {
      const home = Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-start-build-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => Fs.rmSync(home, { recursive: true, force: true })))
      const repo = yield* GitRepo.fromFixture("hello")
      const hub = yield* start(home, { KOJI_ADMIN_PASSWORD: "start-admin", KOJI_ALLOWED_SCMS: `:${repo.root}/*:no:` })
      // as Koji's own clients talk: XML-RPC at /kojihub
      const koji = yield* KojiClient.makeXmlRpc({ url: `${hub.url}/kojihub` })
      yield* koji.login({ user: "admin", password: "start-admin" })
      const arch = ((yield* koji.listHosts({})) as ReadonlyArray<{ arches: string }>)[0]!.arches.split(" ")[0]!
      const buildTag = yield* koji.createTag({ name: "start-build", arches: arch })
      const destTag = yield* koji.createTag({ name: "start-dest" })
      yield* koji.createBuildTarget({ name: "start", build_tag: buildTag, dest_tag: destTag })
      yield* koji.packageListAdd({ taginfo: destTag, pkginfo: "hello", owner: "admin" })
      const taskId = yield* koji.build({ src: `git+file://${repo.dir}#${repo.head()}`, target: "start" })
      const task = yield* TestBuilders.eventually(
        Effect.map(koji.getTaskInfo({ task_id: taskId }), (t) => t as Task),
        (t) => ([TaskState.CLOSED, TaskState.FAILED, TaskState.CANCELED] as ReadonlyArray<number>).includes(t.state),
        "240 seconds"
      )
      expect(task.state, hub.output()).toBe(TaskState.CLOSED)
      expect((yield* koji.getBuild({ buildInfo: "hello-1.0-1" }))!.state).toBe(BuildState.COMPLETE)
      const tagged = (yield* koji.listTagged({ tag: "start-dest" })) as ReadonlyArray<any>
      expect(tagged.map((b) => b.nvr)).toEqual(["hello-1.0-1"])
      // the RPM by its Koji URL, and rpm reads it
      const response = yield* Effect.promise(() => fetch(`${hub.url}/kojifiles/packages/hello/1.0/1/${arch}/hello-1.0-1.${arch}.rpm`))
      expect(response.status).toBe(200)
      const file = Path.join(home, "downloaded.rpm")
      Fs.writeFileSync(file, Buffer.from(yield* Effect.promise(() => response.arrayBuffer())))
      expect(execFileSync("rpm", ["-qp", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}", file], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }))
        .toBe(`hello-1.0-1.${arch}`)
    })), 300_000)
})
