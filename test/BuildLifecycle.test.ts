/**
 * A build's life on the hub as a builder host drives it (host.initBuild,
 * host.completeBuild, host.failBuild, host.moveBuildToScratch, the host policy
 * calls) and the build requests of users (build, chainBuild), on both
 * databases, with real RPMs built by rpmbuild and checked with rpm -qp.
 */
import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { BuildState } from "../src/domain/Enums.js"
import { FileStore } from "../src/storage/FileStore.js"
import * as Paths from "../src/storage/Paths.js"
import * as TestBuilders from "./utils/Builders.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"
import * as RpmBuild from "./utils/RpmBuild.js"

let counter = 0
const unique = (prefix: string) => `${prefix}${++counter}`

// a build task (owned by the admin) OPEN on a new host
const openBuildTask = (options: { readonly host?: string } = {}) =>
  Effect.gen(function*() {
    const admin = yield* TestHub.admin
    const hostName = options.host ?? unique("lifecycle-host-")
    const { client: host, id: hostId } = yield* TestBuilders.builder(hostName)
    // assigned at once: the scheduler could hand it to another test's host
    const taskId = yield* admin.makeTask({ method: "build", arglist: ["git://example.com/pkg#1", "dist", {}], assign: hostId })
    expect(yield* host.host.openTask({ task_id: taskId })).not.toBeNull()
    return { admin, host, hostId, taskId }
  })

// another build task OPEN on the same host
const anotherTask = (host: { host: { openTask: (p: { task_id: number }) => Effect.Effect<unknown, unknown> } }, hostId: number) =>
  Effect.gen(function*() {
    const admin = yield* TestHub.admin
    const taskId = yield* admin.makeTask({ method: "build", arglist: ["git://example.com/pkg#2", "dist", {}], assign: hostId })
    expect(yield* Effect.orDie(host.host.openTask({ task_id: taskId }))).not.toBeNull()
    return taskId
  })

// a local file uploaded into the task's work directory (`sub` for an arch subtask's own directory)
const upload = (taskId: number, file: string, sub?: string) =>
  Effect.gen(function*() {
    const store = yield* FileStore
    const rel = `${Paths.taskUpload(taskId)}${sub ? `/${sub}` : ""}/${Path.basename(file)}`
    yield* store.writeFile(`work/${rel}`, new Uint8Array(Fs.readFileSync(file)))
    return rel
  })

const uploadText = (taskId: number, name: string, text: string, sub?: string) =>
  Effect.gen(function*() {
    const store = yield* FileStore
    const rel = `${Paths.taskUpload(taskId)}${sub ? `/${sub}` : ""}/${name}`
    yield* store.writeFile(`work/${rel}`, new TextEncoder().encode(text))
    return rel
  })

const buildroot = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [row] = yield* sql<{ id: number }>`INSERT INTO buildroot (br_type) VALUES (0) RETURNING id`
  return row!.id
})

const rpmRows = (buildId: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return yield* sql<{ id: number; name: string; arch: string }>`
      SELECT id, name, arch FROM rpminfo WHERE build_id = ${buildId} ORDER BY id`
  })

describe("build lifecycle", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    layer(TestHub.layer(Database, TestHub.transports[0][1]), { timeout: "180 seconds", excludeTestServices: true })(db, (it) => {
      it.scoped("initBuild: a BUILDING rpm build owned by the task's owner; restart-safe; others refused", () =>
        Effect.gen(function*() {
          const { admin, host, hostId, taskId } = yield* openBuildTask()
          const data = {
            name: "life-init",
            version: "1.0",
            release: "1",
            epoch: null,
            task_id: taskId,
            source: "git://example.com/pkg#abc123",
            extra: { source: { original_url: "git://example.com/pkg#main" } }
          }
          const id = yield* host.host.initBuild({ data })
          const build = (yield* admin.getBuild({ buildInfo: id }))!
          expect(build).toMatchObject({
            nvr: "life-init-1.0-1",
            state: BuildState.BUILDING,
            task_id: taskId,
            owner_name: "admin",
            source: "git://example.com/pkg#abc123",
            extra: { source: { original_url: "git://example.com/pkg#main" } },
            completion_time: null,
            volume_name: "DEFAULT"
          })
          const sql = yield* SqlClient.SqlClient
          const types = yield* sql<{ name: string }>`
            SELECT btype.name FROM build_types JOIN btype ON btype.id = build_types.btype_id WHERE build_id = ${id}`
          expect(types.map((t) => t.name)).toEqual(["rpm"])
          // the same task again (a restarted build task) gets the same build
          expect(yield* host.host.initBuild({ data })).toBe(id)
          // another task may not take it over while it builds
          const other = yield* anotherTask(host, hostId)
          expect(yield* TestHub.failure(host.host.initBuild({ data: { ...data, task_id: other } }))).toEqual({
            _tag: "GenericError",
            message: `Build already in progress (task ${taskId})`
          })
          // a host that does not run the task
          const stranger = yield* TestBuilders.builder(unique("lifecycle-stranger-"))
          expect(yield* TestHub.failure(stranger.client.host.initBuild({ data }))).toEqual({
            _tag: "ActionNotAllowed",
            message: `host ${stranger.id} does not own task ${taskId}`
          })
          // not a host at all
          expect((yield* TestHub.failure(admin.host.initBuild({ data })))._tag).toBe("AuthError")
          expect(hostId).toBeGreaterThan(0)
        }))

      it.scoped("completeBuild imports the srpm and rpms: rows as rpm -qp reads them, files, logs, event", () =>
        Effect.gen(function*() {
          const built = yield* RpmBuild.build({ name: "life-full", version: "2.0", release: "3", epoch: 4 })
          const { admin, host, hostId, taskId } = yield* openBuildTask()
          const store = yield* FileStore
          const sql = yield* SqlClient.SqlClient
          const binary = built.rpms.find((f) => f.endsWith(".x86_64.rpm"))!
          const noarch = built.rpms.find((f) => f.endsWith(".noarch.rpm"))!
          const srpm = yield* upload(taskId, built.srpm)
          const rpm = yield* upload(taskId, binary, "x86_64")
          // the noarch subpackage, uploaded by two arch tasks: imported once
          const noarchA = yield* upload(taskId, noarch, "x86_64")
          const noarchB = yield* upload(taskId, noarch, "aarch64")
          const logs = {
            x86_64: [yield* uploadText(taskId, "build.log", "build log\n", "x86_64"), yield* uploadText(taskId, "root.log", "root\n", "x86_64")],
            noarch: [yield* uploadText(taskId, "build.log", "noarch build log\n", "aarch64")]
          }
          const brX86 = yield* buildroot
          const brSrpm = yield* buildroot
          const buildId = yield* host.host.initBuild({
            data: { name: "life-full", version: "2.0", release: "3", epoch: 4, task_id: taskId }
          })
          const done = yield* host.host.completeBuild({
            task_id: taskId,
            build_id: buildId,
            srpm,
            rpms: [rpm, noarchA, noarchB],
            brmap: { [srpm]: brSrpm, [rpm]: brX86, [noarchA]: brX86, [noarchB]: brX86 },
            logs
          })
          expect(done).toMatchObject({ id: buildId, state: BuildState.COMPLETE, nvr: "life-full-2.0-3", epoch: 4 })
          expect(done.completion_time).not.toBeNull()
          // the rows, as rpm -qp reads the files
          const rows = yield* admin.listRPMs({ buildID: buildId })
          expect(Array.isArray(rows) && rows.length).toBe(3)
          for (const [file, arch, br] of [[built.srpm, "src", brSrpm], [binary, "x86_64", brX86], [noarch, "noarch", brX86]] as const) {
            const row = (rows as ReadonlyArray<any>).find((r) => r.arch === arch)
            expect(row).toMatchObject({
              name: RpmBuild.query(file, "%{NAME}"),
              version: "2.0",
              release: "3",
              epoch: 4,
              payloadhash: RpmBuild.query(file, "%{SIGMD5}"),
              size: Fs.statSync(file).size,
              buildtime: Number(RpmBuild.query(file, "%{BUILDTIME}")),
              buildroot_id: br,
              external_repo_id: 0,
              draft: false,
              build_id: buildId
            })
            // the file in the build directory, byte for byte
            const placed = `packages/life-full/2.0/3/${arch}/${Path.basename(file)}`
            expect(Buffer.from(yield* store.read(placed)).equals(Fs.readFileSync(file))).toBe(true)
            const sig = yield* store.stat(`packages/life-full/2.0/3/data/sigcache/${arch}/${Path.basename(file)}.sig`)
            expect(sig?.size).toBeGreaterThan(0)
          }
          // an unsigned package: one rpmsigs row with sigkey ''
          const sigs = yield* sql<{ sigkey: string }>`
            SELECT sigkey FROM rpmsigs JOIN rpminfo ON rpminfo.id = rpmsigs.rpm_id WHERE rpminfo.build_id = ${buildId}`
          expect(sigs.map((s) => s.sigkey)).toEqual(["", "", ""])
          // the uploads stay in the task's output (the build's files share their content)
          expect(yield* store.stat(`work/${srpm}`)).toBeDefined()
          expect(yield* store.stat(`work/${rpm}`)).toBeDefined()
          expect(yield* store.stat(`work/${noarchB}`)).toBeDefined()
          // logs by arch
          const listed = yield* admin.getBuildLogs({ build: buildId })
          expect([...listed].sort((a, b) => a.path.localeCompare(b.path))).toEqual([
            { name: "build.log", dir: "noarch", path: "packages/life-full/2.0/3/data/logs/noarch/build.log" },
            { name: "build.log", dir: "x86_64", path: "packages/life-full/2.0/3/data/logs/x86_64/build.log" },
            { name: "root.log", dir: "x86_64", path: "packages/life-full/2.0/3/data/logs/x86_64/root.log" }
          ])
          expect(new TextDecoder().decode(yield* store.read("packages/life-full/2.0/3/data/logs/noarch/build.log"))).toBe(
            "noarch build log\n"
          )
          // the build.state event of the completion
          const events = yield* sql<{ data: any }>`
            SELECT data FROM event_stream WHERE kind = 'build.state' AND build_id = ${buildId} ORDER BY id`
          expect(events.map((e) => (typeof e.data === "string" ? JSON.parse(e.data) : e.data))).toEqual([
            { old: null, new: BuildState.BUILDING, nvr: "life-full-2.0-3" },
            { old: BuildState.BUILDING, new: BuildState.COMPLETE, nvr: "life-full-2.0-3" }
          ])
          // completing again: the build is no longer BUILDING
          const again = yield* TestHub.failure(host.host.completeBuild({ task_id: taskId, build_id: buildId, srpm: noarchB, rpms: [] }))
          expect(again._tag).toBe("GenericError")
          // a rebuild of the same N-V-R by another task: Koji's refusal, with the data it was given
          const other = yield* anotherTask(host, hostId)
          const pkgId = done.package_id
          expect(
            yield* TestHub.failure(host.host.initBuild({
              data: { name: "life-full", version: "2.0", release: "3", epoch: 4, task_id: other }
            }))
          ).toEqual({
            _tag: "GenericError",
            message: `Build already exists (id=${buildId}, state=COMPLETE): {'name': 'life-full', 'version': '2.0', `
              + `'release': '3', 'epoch': 4, 'task_id': ${other}, 'owner': ${done.owner_id}, 'state': 0, `
              + `'completion_time': None, 'pkg_id': ${pkgId}, 'extra': None, 'start_time': 'NOW', 'source': None, `
              + `'volume_id': 0, 'draft': False}`
          })
        }), { timeout: 120_000 })

      it.scoped("a failing import leaves no rows, the build BUILDING and the uploads in place", () =>
        Effect.gen(function*() {
          const built = yield* RpmBuild.build({ name: "life-bad", version: "1", release: "1" })
          const foreign = yield* RpmBuild.build({ name: "life-foreign", version: "1", release: "1", dataSubpackage: false })
          const { admin, host, hostId, taskId } = yield* openBuildTask()
          const store = yield* FileStore
          const srpm = yield* upload(taskId, built.srpm)
          const binary = yield* upload(taskId, built.rpms.find((f) => f.endsWith(".x86_64.rpm"))!)
          const stranger = yield* upload(taskId, foreign.rpms[0]!)
          const log = yield* uploadText(taskId, "build.log", "log\n")
          const buildId = yield* host.host.initBuild({
            data: { name: "life-bad", version: "1", release: "1", epoch: null, task_id: taskId }
          })
          const attempt = (rpms: ReadonlyArray<string>, extra: Record<string, unknown> = {}) =>
            TestHub.failure(host.host.completeBuild({ task_id: taskId, build_id: buildId, srpm, rpms, logs: { x86_64: [log] }, ...extra }))
          // a package of another build
          expect(yield* attempt([binary, stranger])).toEqual({
            _tag: "GenericError",
            message: `srpm mismatch for work/${stranger}: life-foreign-1-1.src.rpm (expected life-bad-1-1.src.rpm)`
          })
          // a missing file, a path out of work/, a buildroot that does not exist
          expect(yield* attempt([binary, `${Paths.taskUpload(taskId)}/nothing.x86_64.rpm`])).toEqual({
            _tag: "GenericError",
            message: `No such file: work/${Paths.taskUpload(taskId)}/nothing.x86_64.rpm`
          })
          expect(yield* attempt(["../packages/x/1/1/x86_64/x-1-1.x86_64.rpm"])).toEqual({
            _tag: "GenericError",
            message: "Invalid upload path: ../packages/x/1/1/x86_64/x-1-1.x86_64.rpm"
          })
          expect(yield* attempt([binary], { brmap: { [binary]: 999_999 } })).toEqual({
            _tag: "GenericError",
            message: "no buildroot with ID: 999999"
          })
          // a file in the way in the build directory: refused before anything moves
          yield* store.writeFile("packages/life-bad/1/1/x86_64/life-bad-1-1.x86_64.rpm", new Uint8Array([1]))
          expect(yield* attempt([binary])).toEqual({
            _tag: "GenericError",
            message: "Error importing archive file, packages/life-bad/1/1/x86_64/life-bad-1-1.x86_64.rpm already exists"
          })
          // a task that is not the build's
          const other = yield* anotherTask(host, hostId)
          expect((yield* TestHub.failure(host.host.completeBuild({ task_id: other, build_id: buildId, srpm, rpms: [binary] }))).message).toBe(
            `Unable to complete build: task_id mismatch (build: ${taskId}, rpm: ${other})`
          )
          // nothing was recorded or moved
          expect(yield* rpmRows(buildId)).toEqual([])
          expect((yield* admin.getBuild({ buildInfo: buildId }))!.state).toBe(BuildState.BUILDING)
          for (const rel of [srpm, binary, stranger, log]) expect(yield* store.stat(`work/${rel}`)).toBeDefined()
          expect(yield* store.stat("packages/life-bad/1/1/src")).toBeUndefined()
          // with the way cleared, the same call imports
          yield* store.remove("packages/life-bad/1/1")
          const done = yield* host.host.completeBuild({ task_id: taskId, build_id: buildId, srpm, rpms: [binary], logs: { x86_64: [log] } })
          expect(done.state).toBe(BuildState.COMPLETE)
          expect((yield* rpmRows(buildId)).map((r) => r.arch)).toEqual(["src", "x86_64"])
        }), { timeout: 120_000 })

      it.scoped("failBuild: BUILDING -> FAILED once; the N-V-R is then recycled by the next build task", () =>
        Effect.gen(function*() {
          const { admin, host, hostId, taskId } = yield* openBuildTask()
          const sql = yield* SqlClient.SqlClient
          const data = { name: "life-fail", version: "1", release: "1", epoch: null, task_id: taskId }
          const buildId = yield* host.host.initBuild({ data })
          // only the build's own task
          const other = yield* anotherTask(host, hostId)
          expect(yield* TestHub.failure(host.host.failBuild({ task_id: other, build_id: buildId }))).toEqual({
            _tag: "ActionNotAllowed",
            message: `build ${buildId} does not belong to task ${other}`
          })
          expect(yield* host.host.failBuild({ task_id: taskId, build_id: buildId })).toBeNull()
          const failed = (yield* admin.getBuild({ buildInfo: buildId }))!
          expect(failed.state).toBe(BuildState.FAILED)
          expect(failed.completion_time).not.toBeNull()
          expect(yield* TestHub.failure(host.host.failBuild({ task_id: taskId, build_id: buildId }))).toEqual({
            _tag: "GenericError",
            message: `cannot update build ${buildId}, state: FAILED`
          })
          const [event] = yield* sql<{ data: any }>`
            SELECT data FROM event_stream WHERE kind = 'build.state' AND build_id = ${buildId} ORDER BY id DESC LIMIT 1`
          expect(typeof event!.data === "string" ? JSON.parse(event!.data) : event!.data).toMatchObject({
            old: BuildState.BUILDING,
            new: BuildState.FAILED
          })
          // the next attempt reuses the failed build's id
          const recycled = yield* host.host.initBuild({ data: { ...data, task_id: other } })
          expect(recycled).toBe(buildId)
          expect(yield* admin.getBuild({ buildInfo: buildId })).toMatchObject({
            state: BuildState.BUILDING,
            task_id: other,
            completion_time: null
          })
          expect(yield* TestHub.failure(host.host.failBuild({ task_id: taskId, build_id: 999_999 }))).toEqual({
            _tag: "GenericError",
            message: "No such build: 999999"
          })
        }))

      it.scoped("a failed build that has packages is not recycled", () =>
        Effect.gen(function*() {
          const built = yield* RpmBuild.build({ name: "life-norecycle", version: "1", release: "1", dataSubpackage: false })
          const { admin, host, hostId, taskId } = yield* openBuildTask()
          const data = { name: "life-norecycle", version: "1", release: "1", epoch: null, task_id: taskId }
          const buildId = yield* host.host.initBuild({ data })
          // an admin imports the SRPM into the building build (Koji allows it), then the build fails
          const store = yield* FileStore
          yield* store.writeFile("work/cli-import/nr/life-norecycle-1-1.src.rpm", new Uint8Array(Fs.readFileSync(built.srpm)))
          const imported = yield* admin.importRPM({ path: "cli-import/nr", basename: "life-norecycle-1-1.src.rpm" })
          expect(imported.build_id).toBe(buildId)
          yield* host.host.failBuild({ task_id: taskId, build_id: buildId })
          const other = yield* anotherTask(host, hostId)
          expect(yield* TestHub.failure(host.host.initBuild({ data: { ...data, task_id: other } }))).toEqual({
            _tag: "GenericError",
            message: "Build already exists. Unable to recycle, has rpm data"
          })
        }))

      it.scoped("moveBuildToScratch: files under scratch/<owner>/task_<id>/, no rows", () =>
        Effect.gen(function*() {
          const built = yield* RpmBuild.build({ name: "life-scratch", version: "1", release: "1" })
          const { admin, host, taskId } = yield* openBuildTask()
          const store = yield* FileStore
          const sql = yield* SqlClient.SqlClient
          const srpm = yield* upload(taskId, built.srpm)
          const rpms: Array<string> = []
          for (const file of built.rpms) rpms.push(yield* upload(taskId, file, "x86_64"))
          rpms.push(yield* upload(taskId, built.rpms.find((f) => f.endsWith(".noarch.rpm"))!, "i686"))
          const log = yield* uploadText(taskId, "build.log", "scratch log\n", "x86_64")
          expect(yield* host.host.moveBuildToScratch({ task_id: taskId, srpm, rpms, logs: { x86_64: [log] } })).toBeNull()
          const dir = `scratch/admin/task_${taskId}`
          expect((yield* store.walk(dir)).slice().sort()).toEqual([
            "life-scratch-1-1.src.rpm",
            "life-scratch-1-1.x86_64.rpm",
            "life-scratch-data-1-1.noarch.rpm",
            "logs/x86_64/build.log"
          ])
          expect(yield* admin.getBuild({ buildInfo: "life-scratch-1-1" })).toBeNull()
          const [count] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM rpminfo WHERE name LIKE 'life-scratch%'`
          expect(count!.n).toBe(0)
          // again: what an earlier attempt left is replaced; a file that is not there is refused
          expect(yield* host.host.moveBuildToScratch({ task_id: taskId, srpm, rpms: [] })).toBeNull()
          const missing = `${Path.dirname(srpm)}/missing-1-1.src.rpm`
          expect(yield* TestHub.failure(host.host.moveBuildToScratch({ task_id: taskId, srpm: missing, rpms: [] }))).toEqual({
            _tag: "GenericError",
            message: `No such file: work/${missing}`
          })
        }), { timeout: 120_000 })

      it.scoped("host policy calls: checkPolicy, assertPolicy, evalPolicy", () =>
        Effect.gen(function*() {
          const { host } = yield* openBuildTask()
          const admin = yield* TestHub.admin
          const userId = yield* admin.createUser({ username: unique("policy-user-") })
          // build_from_srpm: admins only by default
          expect(yield* host.host.checkPolicy({ name: "build_from_srpm", data: { user_id: userId } })).toEqual([
            false,
            "Only admin can do this via default policy"
          ])
          expect(yield* host.host.checkPolicy({ name: "build_from_srpm", data: { user_id: 1 } })).toEqual([true, ""])
          expect(yield* TestHub.failure(host.host.checkPolicy({ name: "build_from_srpm", data: { user_id: userId }, strict: true }))).toEqual({
            _tag: "ActionNotAllowed",
            message: "policy violation (build_from_srpm): Only admin can do this via default policy"
          })
          expect(yield* TestHub.failure(host.host.assertPolicy({ name: "build_from_repo_id", data: { user_id: userId } }))).toEqual({
            _tag: "ActionNotAllowed",
            message: "policy violation (build_from_repo_id): Only admin can do this via default policy"
          })
          expect(yield* host.host.assertPolicy({ name: "build_rpm", data: { user_id: userId } })).toBeNull()
          // a missing policy allows (MissingPolicyOk)
          expect(yield* host.host.checkPolicy({ name: "tag", data: {} })).toEqual([true, "missing policy"])
          // the raw action of non allow/deny policies
          expect(yield* host.host.evalPolicy({ name: "channel", data: { method: "build" } })).toBe("use default")
          expect(yield* host.host.evalPolicy({ name: "volume", data: {} })).toBe("DEFAULT")
          expect(yield* TestHub.failure(host.host.evalPolicy({ name: "no_such", data: {} }))).toEqual({
            _tag: "GenericError",
            message: "no such policy: no_such"
          })
          // users may not call host methods
          expect((yield* TestHub.failure(admin.host.checkPolicy({ name: "build_rpm", data: {} })))._tag).toBe("AuthError")
        }))
    })
  }
})

describe("build and chainBuild", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    for (const [transport, Transport] of [TestHub.allTransports[0], TestHub.allTransports[2]] as const) {
      layer(TestHub.layer(Database, Transport), { timeout: "180 seconds", excludeTestServices: true })(`${db} ${transport}`, (it) => {
        it.scoped("build: Koji's task (method, args, priority, arch, channel) and Koji's refusals", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const buildTag = yield* admin.createTag({ name: "bt-build", arches: "x86_64" })
            const destTag = yield* admin.createTag({ name: "bt-dest" })
            yield* admin.createBuildTarget({ name: "bt", build_tag: buildTag, dest_tag: destTag })
            const src = "git+https://example.com/rpms/pkg.git#0123abcd"
            const id = yield* admin.build({ src, target: "bt" })
            const task = (yield* admin.getTaskInfo({ task_id: id, request: true })) as any
            expect(task).toMatchObject({ method: "build", arch: "noarch", priority: 20, owner: 1, parent: null })
            expect(task.request).toEqual([src, "bt", {}])
            const channel = yield* admin.getChannel({ channelInfo: task.channel_id })
            expect(channel?.name).toBe("default")
            // opts as given, priority relative to 20
            const opts = { scratch: true, arch_override: "x86_64 aarch64", fail_fast: true, custom_user_metadata: { a: 1 } }
            const scratch = yield* admin.build({ src, target: "bt", opts, priority: 5 })
            const scratchTask = (yield* admin.getTaskInfo({ task_id: scratch, request: true })) as any
            expect(scratchTask.request).toEqual([src, "bt", opts])
            expect(scratchTask.priority).toBe(25)
            // an admin may raise the priority; a user may not
            const urgent = yield* admin.build({ src, target: "bt", priority: -5 })
            expect(((yield* admin.getTaskInfo({ task_id: urgent })) as any).priority).toBe(15)
            const name = unique("bt-user-")
            yield* admin.createUser({ username: name, password: "pw" })
            const user = yield* TestHub.loggedIn(name, "pw")
            expect(yield* TestHub.failure(user.build({ src, target: "bt", priority: -1 }))).toEqual({
              _tag: "ActionNotAllowed",
              message: "only admins may create high-priority tasks"
            })
            const mine = yield* user.build({ src, target: "bt", opts: { skip_tag: true } })
            expect(((yield* admin.getTaskInfo({ task_id: mine, request: true })) as any).request).toEqual([src, "bt", { skip_tag: true }])
            // refusals
            expect(yield* TestHub.failure(admin.build({ src, target: "nope" }))).toEqual({
              _tag: "GenericError",
              message: "unknown build target: nope"
            })
            expect(yield* TestHub.failure(admin.build({ src, target: null }))).toEqual({
              _tag: "GenericError",
              message: "unknown build target: None"
            })
            expect(yield* TestHub.failure(admin.build({ src, target: "bt", opts: { arch_override: "x86_64" } }))).toEqual({
              _tag: "BuildError",
              message: "arch_override is only allowed for scratch builds"
            })
            expect(yield* TestHub.failure(admin.build({ src, target: "bt", opts: { scratch: true, draft: true } }))).toEqual({
              _tag: "ParameterError",
              message: "scratch and draft cannot be both specified"
            })
            expect(yield* TestHub.failure(admin.build({ src, target: "bt", opts: { repo_id: 999_999 } }))).toEqual({
              _tag: "BuildError",
              message: "No such repo: 999999"
            })
            expect(yield* TestHub.failure(admin.build({ src, target: "bt", channel: "no-such-channel" }))).toEqual({
              _tag: "GenericError",
              message: "No such channel: no-such-channel"
            })
            expect((yield* TestHub.failure(admin.build({ src, target: "bt", opts: { wait_builds: ["not-an-nvr-"] } })))._tag).toBe("GenericError")
            // not logged in
            const anon = yield* TestHub.client
            expect((yield* TestHub.failure(anon.build({ src, target: "bt" })))._tag).toBe("ActionNotAllowed")
          }))

        it.scoped("chainBuild: a chainbuild task of levels; scratch and bad sources refused", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const buildTag = yield* admin.createTag({ name: "cb-build", arches: "x86_64" })
            const destTag = yield* admin.createTag({ name: "cb-dest" })
            yield* admin.createBuildTarget({ name: "cb", build_tag: buildTag, dest_tag: destTag })
            const srcs = [["git://example.com/a#1", "git://example.com/b#1"], ["c-1.0-1"]]
            const id = yield* admin.chainBuild({ srcs, target: "cb", priority: 5 })
            const task = (yield* admin.getTaskInfo({ task_id: id, request: true })) as any
            expect(task).toMatchObject({ method: "chainbuild", arch: "noarch", priority: 25 })
            expect(task.request).toEqual([srcs, "cb", {}])
            expect(yield* TestHub.failure(admin.chainBuild({ srcs, target: "cb", opts: { scratch: true } }))).toEqual({
              _tag: "BuildError",
              message: "--scratch is not allowed with chain-builds"
            })
            expect(yield* TestHub.failure(admin.chainBuild({ srcs, target: "nope" }))).toEqual({
              _tag: "GenericError",
              message: "unknown build target: nope"
            })
            expect(yield* TestHub.failure(admin.chainBuild({ srcs: [["pkg.src.rpm"]], target: "cb" }))).toEqual({
              _tag: "ParameterError",
              message: "\"pkg.src.rpm\" is not a SCM URL or package N-V-R"
            })
            expect((yield* TestHub.failure(admin.chainBuild({ srcs: [[]], target: "cb" })))._tag).toBe("ParameterError")
          }))
      })
    }
  }
})
