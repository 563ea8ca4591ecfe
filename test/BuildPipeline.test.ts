/**
 * The build pipeline end to end with real tools, on both databases: a git
 * commit of a small C program (with a noarch data subpackage) built by
 * `build` through the SDK into RPMs — SRPM from the checkout, `buildArch`,
 * import, tag — with the files in the topdir, the logs on the task and the
 * RPMs served at /kojifiles/.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as os from "node:os"
import * as path from "node:path"
import * as Builder from "../src/builder/Builder.js"
import * as BuildSettings from "../src/builder/BuildSettings.js"
import * as Registry from "../src/builder/Registry.js"
import * as Rpmbuild from "../src/buildroot/Rpmbuild.js"
import * as KojiClient from "../src/client/KojiClient.js"
import { BuildState, TaskState } from "../src/domain/Enums.js"
import type { Task } from "../src/domain/Task.js"
import * as Bootstrap from "../src/hub/Bootstrap.js"
import * as Hub from "../src/hub/Hub.js"
import * as HubConfig from "../src/hub/HubConfig.js"
import * as Server from "../src/rpc/Server.js"
import * as FileStore from "../src/storage/FileStore.js"
import * as TestBuilders from "./utils/Builders.js"
import * as TestDatabases from "./utils/Databases.js"
import * as GitRepo from "./utils/GitRepo.js"
import * as RpmBuild from "./utils/RpmBuild.js"
import * as TestHub from "./utils/Hub.js"

const dist = ".kts1"
const projectRoot = fileURLToPath(new URL("..", import.meta.url))
const nvr = `hello-1.0-1${dist}`

// a hub serving /api, /kojihub and /kojifiles over HTTP on a real topdir
const hubLayer = (database: Layer.Layer<any>, topdir: string) =>
  Server.layer({ host: "127.0.0.1", port: 0 }).pipe(
    Layer.provideMerge(Hub.layer),
    Layer.provideMerge(Layer.effectDiscard(Bootstrap.ensureAdmin({ password: TestHub.adminPassword }))),
    // a silent host loses its tasks after 4 s (Koji's HostTimeout), so a killed builder's work moves on
    Layer.provideMerge(HubConfig.layer({
      scheduler: { ...HubConfig.defaults.scheduler, hostTimeout: 4, readyTimeout: 4, runInterval: 1 }
    })),
    Layer.provideMerge(FileStore.layerLocal(topdir)),
    Layer.provideMerge(database),
    Layer.orDie
  )

const admin = Effect.gen(function*() {
  const url = yield* Server.url
  const client = yield* KojiClient.makeHttp({ url: `${url}/api` })
  yield* client.login({ user: "admin", password: TestHub.adminPassword })
  return client
})

// a builder host running the build handlers on rpmbuild, allowed to check out the test's repositories
const startBuilder = (name: string, gitRoot: string) =>
  Effect.gen(function*() {
    const url = yield* Server.url
    const home = mkdtempSync(path.join(os.tmpdir(), `koji-${name}-`))
    yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(home, { recursive: true, force: true })))
    yield* Builder.run({
      hostname: name,
      client: KojiClient.makeHttp({ url: `${url}/api` }),
      login: (client) => client.login({ user: name, password: TestBuilders.hostPassword }),
      workdir: home,
      topurl: `${url}/kojifiles`,
      heartbeat: "1 second"
    }).pipe(
      Effect.provide(Registry.layerWithBuilds().pipe(
        Layer.provide(Rpmbuild.layer),
        Layer.provide(BuildSettings.layer({ allowedScms: `:${gitRoot}/*:no:` }))
      ))
    )
  })

// the tags, target and package list of a small distribution, and one builder host
const setup = Effect.gen(function*() {
  const client = yield* admin
  const buildTag = yield* client.createTag({ name: "dist-build", arches: "x86_64", extra: { "rpm.macro.dist": dist } })
  const destTag = yield* client.createTag({ name: "dist-dest" })
  yield* client.createBuildTarget({ name: "dist", build_tag: buildTag, dest_tag: destTag })
  yield* client.packageListAdd({ taginfo: destTag, pkginfo: "hello", owner: "admin" })
  const host = yield* client.addHost({ hostname: "builder-1", arches: ["x86_64"] })
  yield* TestHub.setPassword("builder-1", TestBuilders.hostPassword)
  return { host }
})

const finished = (client: KojiClient.Client, taskId: number) =>
  TestBuilders.eventually(
    Effect.map(client.getTaskInfo({ task_id: taskId }), (t) => t as Task),
    (t) => t !== null && ([TaskState.CLOSED, TaskState.FAILED, TaskState.CANCELED] as ReadonlyArray<number>).includes(t.state),
    "240 seconds"
  )

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

const rpmQuery = (file: string) =>
  execFileSync("rpm", ["-qp", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH} %{SOURCERPM}", file], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"]
  })

for (const [db, Database] of TestDatabases.migrated) {
  const topdir = mkdtempSync(path.join(os.tmpdir(), "koji-topdir-"))
  const gitRoot = mkdtempSync(path.join(os.tmpdir(), "koji-git-"))
  const world = Layer.scopedDiscard(Effect.gen(function*() {
    yield* setup
    const scope = yield* Effect.scope
    yield* Effect.forkIn(startBuilder("builder-1", gitRoot), scope)
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        rmSync(topdir, { recursive: true, force: true })
        rmSync(gitRoot, { recursive: true, force: true })
      })
    )
  })).pipe(Layer.provideMerge(hubLayer(Database, topdir)))

  layer(world, { timeout: "600 seconds", excludeTestServices: true })(`build pipeline on ${db}`, (it) => {
    it.scoped("builds a git commit into RPMs, imports and tags them", () =>
      Effect.gen(function*() {
        const client = yield* admin
        const url = yield* Server.url
        const repo = yield* GitRepo.fromFixture("hello", { root: gitRoot, name: "hello-ok.git" })
        const commit = repo.head()
        const src = `git+file://${repo.dir}#${commit}`
        const taskId = yield* client.build({ src, target: "dist" })
        const task = yield* finished(client, taskId)
        if (task.state !== TaskState.CLOSED) {
          const failure = yield* Effect.flip(client.getTaskResult({ taskId }))
          expect.fail(`build task failed: ${failure.message}`)
        }
        // the build, its source and its RPMs
        const build = yield* client.getBuild({ buildInfo: nvr, strict: true })
        expect(build).toMatchObject({ name: "hello", version: "1.0", release: `1${dist}`, state: BuildState.COMPLETE, task_id: taskId })
        expect(build!.source).toBe(src)
        const rpms = yield* client.listRPMs({ buildID: build!.id })
        const nvras = (rpms as ReadonlyArray<any>).map((r) => `${r.name}-${r.version}-${r.release}.${r.arch}`).sort()
        expect(nvras).toEqual([`hello-1.0-1${dist}.src`, `hello-1.0-1${dist}.x86_64`, `hello-data-1.0-1${dist}.noarch`])
        // in the topdir, and rpm agrees on what each file is
        for (const rpm of rpms as ReadonlyArray<any>) {
          const file = path.join(topdir, "packages/hello/1.0", `1${dist}`, rpm.arch, `${rpm.name}-${rpm.version}-${rpm.release}.${rpm.arch}.rpm`)
          expect(existsSync(file)).toBe(true)
          const [what, sourcerpm] = rpmQuery(file).split(" ")
          if (rpm.arch === "src") expect(sourcerpm).toBe("(none)")
          else {
            expect(what).toBe(`${rpm.name}-${rpm.version}-${rpm.release}.${rpm.arch}`)
            expect(sourcerpm).toBe(`${nvr}.src.rpm`)
          }
          expect(rpm.payloadhash).toMatch(/^[0-9a-f]{32}$/)
        }
        // tagged into the target's destination tag
        const tagged = yield* client.listTagged({ tag: "dist-dest" })
        expect((tagged as ReadonlyArray<any>).map((b) => b.nvr)).toContain(nvr)
        // logs: on the build, and on the buildArch task (listable and downloadable)
        const logs = yield* client.getBuildLogs({ build: build!.id })
        expect(logs.map((l: any) => l.name)).toEqual(expect.arrayContaining(["build.log", "root.log"]))
        const children = yield* client.getTaskChildren({ task_id: taskId })
        const arch = children.find((c: any) => c.method === "buildArch")!
        const output = yield* client.listTaskOutput({ taskID: arch.id })
        expect(output).toEqual(expect.arrayContaining(["build.log", `hello-1.0-1${dist}.x86_64.rpm`]))
        const buildLog = text(yield* client.downloadTaskOutput({ taskID: arch.id, fileName: "build.log" }))
        expect(buildLog).toContain("Wrote:")
        const srpmTask = children.find((c: any) => c.method === "buildSRPMFromSCM")!
        const checkoutLog = text(yield* client.downloadTaskOutput({ taskID: srpmTask.id, fileName: "checkout.log" }))
        expect(checkoutLog).toMatch(/git .*clone/)
        // the RPM by its Koji URL
        const response = yield* Effect.promise(() =>
          fetch(`${url}/kojifiles/packages/hello/1.0/1${dist}/x86_64/hello-1.0-1${dist}.x86_64.rpm`)
        )
        expect(response.status).toBe(200)
        const bytes = Buffer.from(yield* Effect.promise(() => response.arrayBuffer()))
        expect(bytes.equals(readFileSync(path.join(topdir, `packages/hello/1.0/1${dist}/x86_64/hello-1.0-1${dist}.x86_64.rpm`))))
          .toBe(true)

        // the same NVR again is refused with Koji's error, and the build stays as it was
        const again = yield* client.build({ src, target: "dist" })
        expect((yield* finished(client, again)).state).toBe(TaskState.FAILED)
        const refused = yield* Effect.flip(client.getTaskResult({ taskId: again }))
        expect(refused.message).toMatch(/Build already exists/)
        expect((yield* client.getBuild({ buildInfo: nvr }))!.state).toBe(BuildState.COMPLETE)
      }))

    it.scoped("a scratch build lands only under scratch/", () =>
      Effect.gen(function*() {
        const client = yield* admin
        const repo = yield* GitRepo.fromFixture("hello", { root: gitRoot, name: "hello-scratch.git" })
        repo.commit("hello.spec", readFileSync(path.join(repo.dir, "hello.spec"), "utf8").replace("Version:        1.0", "Version:        2.0"))
        const before = yield* client.listBuilds({ queryOpts: { countOnly: true } })
        const taskId = yield* client.build({ src: `git+file://${repo.dir}#${repo.head()}`, target: "dist", opts: { scratch: true } })
        expect((yield* finished(client, taskId)).state).toBe(TaskState.CLOSED)
        const dir = path.join(topdir, "scratch/admin", `task_${taskId}`)
        expect(existsSync(path.join(dir, `hello-2.0-1${dist}.x86_64.rpm`))).toBe(true)
        expect(existsSync(path.join(dir, `hello-data-2.0-1${dist}.noarch.rpm`))).toBe(true)
        expect(yield* client.getBuild({ buildInfo: `hello-2.0-1${dist}` })).toBeNull()
        expect(yield* client.listBuilds({ queryOpts: { countOnly: true } })).toBe(before)
        expect(existsSync(path.join(topdir, "packages/hello/2.0"))).toBe(false)
      }))

    it.scoped("a broken spec fails with rpmbuild's error in the result and in build.log", () =>
      Effect.gen(function*() {
        const client = yield* admin
        const repo = yield* GitRepo.fromFixture("hello", { root: gitRoot, name: "hello-broken.git" })
        const spec = readFileSync(path.join(repo.dir, "hello.spec"), "utf8")
          .replace("Version:        1.0", "Version:        3.0")
          .replace("%build\n", "%build\necho 'this build is broken' >&2\nexit 3\n")
        repo.commit("hello.spec", spec)
        const taskId = yield* client.build({ src: `git+file://${repo.dir}#${repo.head()}`, target: "dist" })
        expect((yield* finished(client, taskId)).state).toBe(TaskState.FAILED)
        const failure = yield* Effect.flip(client.getTaskResult({ taskId }))
        expect(failure.message).toMatch(/Bad exit status/)
        const arch = (yield* client.getTaskChildren({ task_id: taskId })).find((c: any) => c.method === "buildArch")!
        const log = text(yield* client.downloadTaskOutput({ taskID: arch.id, fileName: "build.log" }))
        expect(log).toContain("this build is broken")
        expect(log).toMatch(/Bad exit status/)
        expect((yield* client.getBuild({ buildInfo: `hello-3.0-1${dist}` }))!.state).toBe(BuildState.FAILED)
      }))

    it.scoped("a builder killed mid-build: its tasks are freed and another builder finishes the build", () =>
      Effect.gen(function*() {
        const client = yield* admin
        const url = yield* Server.url
        const repo = yield* GitRepo.fromFixture("hello", { root: gitRoot, name: "hello-killed.git" })
        repo.commit(
          "hello.spec",
          readFileSync(path.join(repo.dir, "hello.spec"), "utf8")
            .replace("Version:        1.0", "Version:        4.0")
            .replace("%build\n", "%build\nsleep 8\n")
        )
        // only the doomed builder takes work for now: the daemon of apps/builder, in its own process
        const doomed = yield* client.addHost({ hostname: "builder-doomed", arches: ["x86_64"] })
        yield* TestHub.setPassword("builder-doomed", TestBuilders.hostPassword)
        yield* client.disableHost({ hostname: "builder-1" })
        const home = mkdtempSync(path.join(os.tmpdir(), "koji-doomed-"))
        const child = spawn(process.execPath, ["--import", "tsx", "apps/builder/main.ts"], {
          cwd: projectRoot,
          env: {
            ...process.env,
            KOJI_HOME: home,
            KOJI_HUB_URL: `${url}/api`,
            KOJI_BUILDER_NAME: "builder-doomed",
            KOJI_BUILDER_PASSWORD: TestBuilders.hostPassword,
            KOJI_ALLOWED_SCMS: `:${gitRoot}/*:no:`
          },
          stdio: "ignore"
        })
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            child.kill("SIGKILL")
            rmSync(home, { recursive: true, force: true })
          })
        )
        const taskId = yield* client.build({ src: `git+file://${repo.dir}#${repo.head()}`, target: "dist" })
        // wait until the doomed builder is inside rpmbuild, then kill it without a word
        const building = yield* TestBuilders.eventually(
          Effect.map(client.getTaskChildren({ task_id: taskId }), (children) =>
            children.find((c: any) => c.method === "buildArch" && c.state === TaskState.OPEN && c.host_id === doomed)),
          (c) => c !== undefined,
          "120 seconds"
        )
        yield* Effect.sleep("1 second")
        child.kill("SIGKILL")
        yield* client.enableHost({ hostname: "builder-1" })
        const task = yield* finished(client, taskId)
        if (task.state !== TaskState.CLOSED) {
          const failure = yield* Effect.flip(client.getTaskResult({ taskId }))
          expect.fail(`build task failed: ${failure.message}`)
        }
        const rerun = (yield* client.getTaskInfo({ task_id: building!.id })) as Task
        expect(rerun.state).toBe(TaskState.CLOSED)
        expect(rerun.host_id).not.toBe(doomed)
        const build = yield* client.getBuild({ buildInfo: `hello-4.0-1${dist}`, strict: true })
        expect(build!.state).toBe(BuildState.COMPLETE)
        expect((yield* client.listRPMs({ buildID: build!.id })) as ReadonlyArray<unknown>).toHaveLength(3)
      }))

    it.scoped("an uploaded SRPM: built as it is, or rebuilt first with rebuild_srpm (scratch)", () =>
      Effect.gen(function*() {
        const client = yield* admin
        const built = yield* RpmBuild.build({ name: "hello", version: "5.0", release: "1" })
        const dir = `cli-build/${Date.now() / 1000}.upload`
        const name = path.basename(built.srpm)
        yield* client.upload({ path: dir, name, data: new Uint8Array(readFileSync(built.srpm)) })
        // as it is: the build takes the uploaded SRPM's NVR (no dist: it was not made with the tag's macros)
        const plain = yield* client.build({ src: `${dir}/${name}`, target: "dist" })
        expect((yield* finished(client, plain)).state).toBe(TaskState.CLOSED)
        expect((yield* client.getBuild({ buildInfo: "hello-5.0-1", strict: true }))!.state).toBe(BuildState.COMPLETE)
        // rebuilt in a buildroot of the build tag first (rebuildSRPM), then built
        const rebuilt = yield* client.build({ src: `${dir}/${name}`, target: "dist", opts: { scratch: true, rebuild_srpm: true } })
        expect((yield* finished(client, rebuilt)).state).toBe(TaskState.CLOSED)
        const children = yield* client.getTaskChildren({ task_id: rebuilt })
        expect(children.map((c: any) => c.method).sort()).toEqual(["buildArch", "rebuildSRPM"])
        // Koji's build_from_srpm policy: by default only admins build from an uploaded SRPM
        yield* client.createUser({ username: "packager", password: "packager-password" })
        const url = yield* Server.url
        const packager = yield* KojiClient.makeHttp({ url: `${url}/api` })
        yield* packager.login({ user: "packager", password: "packager-password" })
        const theirs = `cli-build/${Date.now() / 1000}.packager`
        yield* packager.upload({ path: theirs, name, data: new Uint8Array(readFileSync(built.srpm)) })
        const refused = yield* packager.build({ src: `${theirs}/${name}`, target: "dist" })
        expect((yield* finished(client, refused)).state).toBe(TaskState.FAILED)
        const failure = yield* Effect.flip(client.getTaskResult({ taskId: refused }))
        expect(failure.message).toBe("policy violation (build_from_srpm): Only admin can do this via default policy")
        expect(readdirSync(path.join(topdir, "scratch/admin", `task_${rebuilt}`)).sort()).toEqual([
          "hello-5.0-1.src.rpm",
          "hello-5.0-1.x86_64.rpm",
          "hello-data-5.0-1.noarch.rpm",
          "logs"
        ])
      }))

    it.scoped("chain-build: levels built in order, an existing build named by its NVR", () =>
      Effect.gen(function*() {
        const client = yield* admin
        const first = yield* GitRepo.fromFixture("hello", { root: gitRoot, name: "hello-chain-1.git" })
        first.commit("hello.spec", readFileSync(path.join(first.dir, "hello.spec"), "utf8").replace("Version:        1.0", "Version:        6.0"))
        const second = yield* GitRepo.fromFixture("hello", { root: gitRoot, name: "hello-chain-2.git" })
        second.commit("hello.spec", readFileSync(path.join(second.dir, "hello.spec"), "utf8").replace("Version:        1.0", "Version:        6.1"))
        // an N-V-R in a level names a build that is already there
        yield* client.createEmptyBuild({ name: "hello", version: "0.9", release: "1", epoch: null })
        const taskId = yield* client.chainBuild({
          srcs: [[`git+file://${first.dir}#${first.head()}`, "hello-0.9-1"], [`git+file://${second.dir}#${second.head()}`]],
          target: "dist"
        })
        const task = yield* finished(client, taskId)
        if (task.state !== TaskState.CLOSED) {
          const failure = yield* Effect.flip(client.getTaskResult({ taskId }))
          expect.fail(`chain build failed: ${failure.message}`)
        }
        const builds = (yield* client.getTaskChildren({ task_id: taskId })).filter((c: any) => c.method === "build")
        expect(builds).toHaveLength(2)
        const [a, b] = [...builds].sort((x: any, y: any) => x.id - y.id) as Array<any>
        // the second level starts only when the first is done
        expect(b.create_ts).toBeGreaterThanOrEqual(a.completion_ts)
        for (const version of ["6.0", "6.1"]) {
          expect((yield* client.getBuild({ buildInfo: `hello-${version}-1${dist}`, strict: true }))!.state).toBe(BuildState.COMPLETE)
        }
        const tagged = (yield* client.listTagged({ tag: "dist-dest" })) as ReadonlyArray<any>
        expect(tagged.map((t) => t.nvr)).toEqual(expect.arrayContaining([`hello-6.0-1${dist}`, `hello-6.1-1${dist}`]))
      }))

    it.scoped("a failing arch fails the build with its error and cancels the other arches", () =>
      Effect.gen(function*() {
        const client = yield* admin
        const buildTag = yield* client.createTag({ name: "multi-build", arches: "x86_64 i686", extra: { "rpm.macro.dist": dist } })
        yield* client.createBuildTarget({ name: "multi", build_tag: buildTag, dest_tag: "dist-dest" })
        yield* client.editHost({ hostInfo: "builder-1", arches: "x86_64 i686" })
        const repo = yield* GitRepo.fromFixture("hello", { root: gitRoot, name: "hello-multi.git" })
        repo.commit(
          "hello.spec",
          readFileSync(path.join(repo.dir, "hello.spec"), "utf8")
            .replace("Version:        1.0", "Version:        7.0")
            .replace(
              "%build\n",
              "%build\n%ifarch i686\necho 'i686 is not supported here' >&2\nexit 1\n%endif\n%ifarch x86_64\nsleep 30\n%endif\n"
            )
        )
        const taskId = yield* client.build({ src: `git+file://${repo.dir}#${repo.head()}`, target: "multi" })
        expect((yield* finished(client, taskId)).state).toBe(TaskState.FAILED)
        const failure = yield* Effect.flip(client.getTaskResult({ taskId }))
        expect(failure.message).toContain("arch i686")
        const arches = (yield* client.getTaskChildren({ task_id: taskId })).filter((c: any) => c.method === "buildArch")
        const byArch = Object.fromEntries(arches.map((c: any) => [c.label, c.state]))
        expect(byArch).toEqual({ i686: TaskState.FAILED, x86_64: TaskState.CANCELED })
        expect((yield* client.getBuild({ buildInfo: `hello-7.0-1${dist}` }))!.state).toBe(BuildState.FAILED)
      }))
  })
}
