/**
 * The build pipeline's CLI commands against a hub over HTTP, on both databases: `import`
 * of real packages (uploaded through the SDK's chunked upload), `buildinfo` listing them,
 * `download-build` fetching them from `/kojifiles/`, `build --nowait` of an uploaded SRPM,
 * and a task's output (uploaded by its host) through `download-logs`, `watch-logs` and
 * `download-task`.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as BuildPipeline from "../src/cli/commands/BuildPipeline.js"
import * as Downloads from "../src/cli/commands/Downloads.js"
import * as TaskRequest from "../src/hub/TaskRequest.js"
import * as Paths from "../src/storage/Paths.js"
import * as Builders from "./utils/Builders.js"
import { adminProfile, harness, HubUrl, hubLayer, ok, type Result } from "./utils/CliHarness.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"
import * as RpmBuild from "./utils/RpmBuild.js"

process.env.TZ = "UTC"

const { koji, writeConfigs: writeFiles } = harness("koji-clibp")

// poll_interval 30: a command that waits sees changes through the event stream, not by polling
const writeConfigs = (url: string) =>
  writeFiles({
    system: `[koji]\nserver = ${url}/api\ntopdir = /mnt/koji\npoll_interval = 30\n`,
    user: adminProfile(url, { topdir: "/mnt/koji", poll_interval: 30 })
  })

const usage = (result: Result, message: string) => {
  expect(result.code).toBe(2)
  expect(result.stderr).toContain(`error: ${message}`)
}

// run `effect` with a new temporary directory as the working directory
const inTempDir = <A, E, R>(effect: (dir: string) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const previous = process.cwd()
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-clibp-cwd-"))
      process.chdir(dir)
      return { previous, dir }
    }),
    ({ dir }) => effect(dir),
    ({ dir, previous }) =>
      Effect.sync(() => {
        process.chdir(previous)
        Fs.rmSync(dir, { recursive: true, force: true })
      })
  )

const response = (value: unknown) => Effect.orDie(TaskRequest.encodeResult(value))
const bytes = (text: string) => new TextEncoder().encode(text)

let counter = 0

for (const [db, Database] of TestDatabases.migrated) {
  layer(hubLayer(Database), { timeout: "240 seconds", excludeTestServices: true })(`CliBuildPipeline ${db}`, (it) => {
    it.scoped("import, buildinfo, download-build", () =>
      Effect.gen(function*() {
        writeConfigs(yield* HubUrl)
        const name = `greet${db}`
        const built = yield* RpmBuild.build({ name, version: "1.0", release: "1" })
        const nvr = `${name}-1.0-1`
        // binaries first on the command line: the source package is still imported first
        const imported = yield* koji("-p", "admin", "import", ...built.rpms, built.srpm)
        ok(imported)
        const lines = imported.stdout.trim().split("\n")
        expect(lines.slice(0, 2)).toEqual([`uploading ${built.srpm}... done`, `importing ${built.srpm}... done`])
        for (const rpm of built.rpms) {
          expect(lines).toContain(`uploading ${rpm}... done`)
          expect(lines).toContain(`importing ${rpm}... done`)
        }
        const admin = yield* TestHub.admin
        const build = yield* admin.getBuild({ buildInfo: nvr })
        expect(build?.state).toBe(1)
        const rpms = (yield* admin.listRPMs({ buildID: build!.id })) as ReadonlyArray<{ arch: string }>
        expect(rpms.map((r) => r.arch).sort()).toEqual(["noarch", "src", "x86_64"].sort())

        // again: nothing to do
        const again = yield* koji("-p", "admin", "import", built.srpm)
        ok(again, `RPM already imported: ${built.srpm}\nSkipping import\n`)
        // a binary whose build is unknown, without --create-build
        const other = yield* RpmBuild.build({ name: `other${db}`, version: "2", release: "1", dataSubpackage: false })
        ok(yield* koji("-p", "admin", "import", other.rpms[0]!), `Missing build or srpm: other${db}-2-1\nAborting import\n`)
        // not an rpm
        const bogus = Path.join(built.dir, "bogus.rpm")
        Fs.writeFileSync(bogus, "not an rpm")
        const bad = yield* koji("-p", "admin", "import", bogus)
        expect(bad.code).toBe(1)
        expect(bad.stderr).toContain("GenericError: Unable to read header of")
        usage(yield* koji("-p", "admin", "import"), "At least one package must be specified")

        // buildinfo lists the RPMs under topdir, as Koji prints them
        const info = yield* koji("buildinfo", nvr)
        ok(info)
        const dir = `/mnt/koji/packages/${name}/1.0/1`
        const rpmLines = info.stdout.split("RPMs:\n")[1]!.trim().split("\n").sort()
        expect(rpmLines).toEqual(
          [`${dir}/src/${nvr}.src.rpm`, `${dir}/x86_64/${nvr}.x86_64.rpm`, `${dir}/noarch/${name}-data-1.0-1.noarch.rpm`].sort()
        )

        // download-build fetches each from /kojifiles/, byte for byte
        yield* inTempDir((cwd) =>
          Effect.gen(function*() {
            const result = yield* koji("download-build", "--noprogress", nvr)
            ok(result)
            const files = Fs.readdirSync(cwd).sort()
            expect(files).toEqual(built.rpms.concat(built.srpm).map((f) => Path.basename(f)).sort())
            for (const local of [...built.rpms, built.srpm]) {
              expect(Fs.readFileSync(Path.join(cwd, Path.basename(local))).equals(Fs.readFileSync(local))).toBe(true)
            }
            expect(result.stdout).toMatch(new RegExp(`^Downloading \\[1/3\\]: .*\\nDownloading \\[2/3\\]: .*\\nDownloading \\[3/3\\]: .*\\n$`))
            // again: each is whole already
            const second = yield* koji("download-build", "--noprogress", "--arch", "noarch", nvr)
            ok(second, `Downloading [1/1]: ${name}-data-1.0-1.noarch.rpm\nFile ${name}-data-1.0-1.noarch.rpm already downloaded, skipping\n`)
            // a partial file is completed
            const x86 = `${nvr}.x86_64.rpm`
            const whole = Fs.readFileSync(x86)
            Fs.writeFileSync(x86, whole.subarray(0, 100))
            const resumed = yield* koji("download-build", "--noprogress", "-a", "x86_64", nvr)
            ok(resumed)
            expect(resumed.stdout).toContain(`Appending to existing file ${x86}`)
            expect(Fs.readFileSync(x86).equals(whole)).toBe(true)
            // with the progress meter
            Fs.rmSync(x86)
            const shown = yield* koji("download-build", "-a", "x86_64", nvr)
            ok(shown)
            expect(shown.stdout).toBe(`Downloading [1/1]: ${x86}\n\n`)
            expect(Fs.readFileSync(x86).equals(whole)).toBe(true)
          })
        )
        const missing = yield* koji("download-build", "nope-1-1")
        expect(missing.code).toBe(1)
        expect(missing.stderr).toBe("No such build: nope-1-1\n")
        const noArch = yield* koji("download-build", "--arch", "ppc64le", nvr)
        expect(noArch.code).toBe(1)
        expect(noArch.stderr).toBe(`No ppc64le packages available for ${nvr}\n`)
      }))

    it.scoped("build --nowait uploads the SRPM to cli-build/ and makes the task", () =>
      Effect.gen(function*() {
        writeConfigs(yield* HubUrl)
        const admin = yield* TestHub.admin
        const suffix = `${db}${++counter}`
        yield* admin.createTag({ name: `bp-dest-${suffix}` })
        yield* admin.createTag({ name: `bp-build-${suffix}`, parent: `bp-dest-${suffix}` })
        yield* admin.createBuildTarget({ name: `bp-${suffix}`, build_tag: `bp-build-${suffix}`, dest_tag: `bp-dest-${suffix}` })
        const built = yield* RpmBuild.build({ name: `pipe${suffix}`, version: "1.0", release: "1" })
        const srpmName = Path.basename(built.srpm)

        const result = yield* koji("-p", "admin", "build", "--nowait", "--noprogress", `bp-${suffix}`, built.srpm)
        ok(result)
        const match = /^Uploading srpm: (.*)\n\nCreated task: (\d+)\nTask info: http:\/\/localhost\/koji\/taskinfo\?taskID=(\d+)\n$/
          .exec(result.stdout)
        expect(match).not.toBeNull()
        expect(match![1]).toBe(built.srpm)
        expect(match![3]).toBe(match![2])
        const taskId = Number(match![2])
        const task = yield* admin.getTaskInfo({ task_id: taskId, request: true })
        const request = (task as { request: ReadonlyArray<unknown>; method: string; priority: number }).request
        expect((task as { method: string }).method).toBe("build")
        expect(request[0]).toMatch(new RegExp(`^cli-build/\\d+(\\.\\d+)?\\.[A-Za-z]{8}/${srpmName.replace(/\./g, "\\.")}$`))
        expect(request[1]).toBe(`bp-${suffix}`)
        expect(request[2]).toEqual({ wait_builds: [], custom_user_metadata: {} })
        expect((task as { priority: number }).priority).toBe(20)
        // the upload is there, whole
        const [dir, file] = [Path.dirname(request[0] as string), Path.basename(request[0] as string)]
        const check = yield* admin.checkUpload({ path: dir, name: file, verify: "adler32" })
        expect(check?.size).toBe(Fs.statSync(built.srpm).size)

        // Koji's options into opts; --background is priority 5 over the default
        const scratch = yield* koji(
          "-p", "admin", "build", "--nowait", "--quiet", "--scratch", "--arch-override", "x86_64,noarch", "--background",
          "--fail-fast", "--wait-repo", "--wait-build", "a-1-1", "--skip-tag", `bp-${suffix}`, "git://example.com/pkg.git#abc"
        )
        ok(scratch, "")
        const [latest] = (yield* admin.listTasks({ opts: { method: "build" }, queryOpts: { order: "-id", limit: 1 } })) as ReadonlyArray<
          { id: number }
        >
        const scratchTask = yield* admin.getTaskInfo({ task_id: latest!.id, request: true })
        const scratchRequest = (scratchTask as { request: ReadonlyArray<unknown> }).request
        expect(scratchRequest[0]).toBe("git://example.com/pkg.git#abc")
        expect(scratchRequest[2]).toEqual({
          arch_override: "x86_64 noarch",
          skip_tag: true,
          scratch: true,
          fail_fast: true,
          wait_repo: true,
          wait_builds: ["a-1-1"],
          custom_user_metadata: {}
        })
        expect((scratchTask as { priority: number }).priority).toBe(25)

        // option errors, as Koji's parser reports them
        usage(yield* koji("-p", "admin", "build", `bp-${suffix}`), "Exactly two arguments (a build target and a SCM URL or srpm file) are required")
        usage(
          yield* koji("-p", "admin", "build", "--arch-override", "x86_64", `bp-${suffix}`, "git://x/y#1"),
          "--arch_override is only allowed for --scratch builds"
        )
        usage(yield* koji("-p", "admin", "build", "nosuchtarget", "git://x/y#1"), "No such build target: nosuchtarget")
        const gone = yield* koji("-p", "admin", "build", "--nowait", `bp-${suffix}`, "/nonexistent/x.src.rpm")
        expect(gone.code).toBe(1)
        expect(gone.stderr).toContain("FileNotFoundError: [Errno 2] No such file or directory: '/nonexistent/x.src.rpm'")

        // chain-build: levels separated by ':'
        const chain = yield* koji("-p", "admin", "chain-build", "--nowait", `bp-${suffix}`, "git://x/a#1", ":", "b-1-1", "git://x/c#2")
        ok(chain)
        const chainId = Number(/^Created task: (\d+)\n/.exec(chain.stdout)![1])
        const chainTask = yield* admin.getTaskInfo({ task_id: chainId, request: true })
        expect((chainTask as { method: string }).method).toBe("chainbuild")
        expect((chainTask as { request: ReadonlyArray<unknown> }).request.slice(0, 2)).toEqual([
          [["git://x/a#1"], ["b-1-1", "git://x/c#2"]],
          `bp-${suffix}`
        ])
        const notNvr = yield* koji("-p", "admin", "chain-build", `bp-${suffix}`, "git://x/a#1", ":", "x.src.rpm")
        expect(notNvr.code).toBe(1)
        expect(notNvr.stderr).toBe('"x.src.rpm" is not a SCM URL or package N-V-R\n')
        usage(
          yield* koji("-p", "admin", "chain-build", `bp-${suffix}`, "git://x/a#1"),
          "You must specify at least one dependency between builds with : (colon)"
        )
      }))

    it.scoped("watch-logs, download-logs, download-task on a task's uploaded output", () =>
      Effect.gen(function*() {
        writeConfigs(yield* HubUrl)
        const admin = yield* TestHub.admin
        const hostName = `bp-host-${db}-${++counter}`
        const { client: host, id: hostId } = yield* Builders.builder(hostName, { arches: ["x86_64", "noarch"] })
        const taskId = yield* admin.makeTask({ method: "buildArch", arglist: ["x.src.rpm", "tag", "noarch"], arch: "noarch", assign: hostId })
        expect(yield* host.host.openTask({ task_id: taskId })).not.toBeNull()
        const dir = Paths.taskUpload(taskId)
        yield* host.upload({ path: dir, name: "build.log", data: bytes("line one\n") })

        // watch-logs follows the log as the host uploads it, waking on the event stream (poll_interval is 30 s)
        const started = Date.now()
        const watching = yield* Effect.fork(koji("watch-logs", String(taskId)))
        yield* Effect.sleep("1500 millis")
        yield* host.upload({ path: dir, name: "build.log", data: bytes("line two\npartial"), offset: 9 })
        yield* Effect.sleep("1 second")
        yield* host.upload({ path: dir, name: "build.log", data: bytes(" line\n"), offset: 25 })
        const rpm = yield* RpmBuild.build({ name: `out${db}`, version: "1", release: "1", noarch: true, dataSubpackage: false })
        const rpmFile = rpm.rpms[0]!
        yield* host.upload({ path: dir, name: Path.basename(rpmFile), file: rpmFile })
        yield* host.upload({ path: dir, name: "root.log", data: bytes("root\n") })
        yield* host.host.closeTask({ task_id: taskId, response: yield* response(null) })
        const watched = yield* Fiber.join(watching)
        ok(watched)
        expect(Date.now() - started).toBeLessThan(20_000)
        expect(watched.stdout).toBe(
          "Watching logs (this may be safely interrupted)...\n" +
            `==> ${taskId}:DEFAULT:build.log: <==\nline one\nline two\npartial line\n` +
            `\n==> ${taskId}:DEFAULT:root.log: <==\nroot\n`
        )
        // a finished task: its logs at once; --log picks one
        ok(
          yield* koji("watch-logs", "--log", "root.log", String(taskId)),
          `Watching logs (this may be safely interrupted)...\n==> ${taskId}:DEFAULT:root.log: <==\nroot\n`
        )
        usage(yield* koji("watch-logs"), "at least one task id must be specified")
        usage(yield* koji("watch-logs", "abc"), "task id must be an integer")

        yield* inTempDir((cwd) =>
          Effect.gen(function*() {
            // download-logs: each .log into DIR/<arch>-<task id>/
            const logs = yield* koji("download-logs", "-d", "logs", String(taskId))
            ok(logs)
            const logDir = `logs/noarch-${taskId}`
            expect(logs.stdout.split("\n").sort()).toEqual(["", `Downloading: ${logDir}/build.log`, `Downloading: ${logDir}/root.log`])
            expect(Fs.readFileSync(Path.join(cwd, logDir, "build.log"), "utf8")).toBe("line one\nline two\npartial line\n")
            // --continue appends what is missing
            Fs.writeFileSync(Path.join(logDir, "build.log"), "line one\n")
            const cont = yield* koji("download-logs", "-c", "-d", "logs", "--match", "build*", String(taskId))
            ok(cont, `Continuing: ${logDir}/build.log\n`)
            expect(Fs.readFileSync(Path.join(logDir, "build.log"), "utf8")).toBe("line one\nline two\npartial line\n")
            const none = yield* koji("download-logs", "-m", "nothing*", String(taskId))
            expect(none.code).toBe(0)
            expect(none.stderr).toBe(`No logs found for task ${taskId}. Perhaps try --recurse?\n\n`)

            // download-task: the rpm output of a buildArch task; --logs adds the logs (with the arch)
            const task = yield* koji("download-task", "--noprogress", String(taskId))
            ok(task, `Downloading [1/1]: ${Path.basename(rpmFile)}\n`)
            expect(Fs.readFileSync(Path.basename(rpmFile)).equals(Fs.readFileSync(rpmFile))).toBe(true)
            const withLogs = yield* koji("download-task", "--noprogress", "--logs", "--dirpertask", String(taskId))
            ok(withLogs)
            expect(Fs.readdirSync(String(taskId)).sort()).toEqual(["build.log", "root.log", Path.basename(rpmFile)].sort())
            expect(Fs.readFileSync(Path.join(String(taskId), "root.log"), "utf8")).toBe("root\n")
            const renamed = yield* koji("download-task", "--noprogress", "--logs", "--skip", "rpm$", String(taskId))
            ok(renamed)
            expect(Fs.existsSync("build.noarch.log")).toBe(true)
          })
        )
        const missing = yield* koji("download-task", "999999")
        expect(missing.code).toBe(1)
        expect(missing.stderr).toBe("No such task: 999999\n")
        // an open task is not downloadable yet
        const open = yield* admin.makeTask({ method: "buildArch", arglist: ["y.src.rpm", "tag", "noarch"], arch: "noarch", assign: hostId })
        const notYet = yield* koji("download-task", String(open))
        expect(notYet.code).toBe(1)
        expect(notYet.stderr).toBe(`Task ${open} has not finished yet.\n`)
        yield* admin.cancelTask({ task_id: open })
      }))
  })
}

// pure helpers
describe("CliBuildPipeline helpers", () => {
  it("unique_path, progress lines, chain levels, fnmatch, topurl", () => {
      expect(BuildPipeline.uniquePath("cli-build", 1719938955123)).toMatch(/^cli-build\/1719938955\.123\.[A-Za-z]{8}$/)
      expect(BuildPipeline.formatSize(12)).toBe("12.00 B")
      expect(BuildPipeline.formatSize(1536)).toBe("1.50 KiB")
      expect(BuildPipeline.formatSecs(3725)).toBe("01:02:05")
      expect(BuildPipeline.uploadProgressLine(50, 100, 50, 1, 2)).toBe(
        `[${"=".repeat(18).padEnd(36)}]  50% 00:00:02    50.00 B    50.00 B/sec\r`
      )
      expect(BuildPipeline.downloadProgressLine(100, 100, 100)).toBe(`[${"=".repeat(36)}] 100% 100.00 B / 100.00 B\r`)
      expect(BuildPipeline.chainLevels(["git://a#1", ":", "b-1-1", "git://c#2"])).toEqual({ levels: [["git://a#1"], ["b-1-1", "git://c#2"]] })
      expect(BuildPipeline.chainLevels(["x.src.rpm"])).toEqual({ bad: "x.src.rpm" })
      expect(Downloads.fnmatch("build.log", "*.log")).toBe(true)
      expect(Downloads.fnmatch("build.log", "root*")).toBe(false)
      expect(Downloads.fnmatch("a1.log", "a[0-9].log")).toBe(true)
      expect(Downloads.isDebuginfo("foo-debuginfo")).toBe(true)
      expect(Downloads.isDebuginfo("foo-debugsource")).toBe(true)
      expect(Downloads.isDebuginfo("foo")).toBe(false)
      expect(BuildPipeline.topurlOf({ topurl: null, server: "http://h:8080/api" })).toBe("http://h:8080/kojifiles")
      expect(BuildPipeline.topurlOf({ topurl: "https://x/kojifiles/", server: "http://h/kojihub" })).toBe("https://x/kojifiles")
  })
})
