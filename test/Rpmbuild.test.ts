import { afterAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Scope } from "effect"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import type { BuildConfig } from "../src/api/Tags.js"
import { BuildrootBackend, type BuildrootOptions, type Root } from "../src/buildroot/Backend.js"
import * as Rpmbuild from "../src/buildroot/Rpmbuild.js"

const hello = fileURLToPath(new URL("fixtures/hello", import.meta.url))

// every directory a test makes, removed after the file
const made: Array<string> = []
afterAll(() => {
  for (const dir of made) Fs.rmSync(dir, { recursive: true, force: true })
})
const tmp = (prefix: string) => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), `kts-${prefix}-`))
  made.push(dir)
  return dir
}

const nvra = (file: string) =>
  execFileSync("rpm", ["-qp", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}", file], { encoding: "utf8" })

// just enough of a getBuildConfig answer for the backend (it reads `extra`)
const config = (extra: Record<string, unknown>) => ({ extra }) as unknown as BuildConfig

let nextId = 1
const options = (overrides: Partial<BuildrootOptions> = {}): BuildrootOptions => {
  const base = tmp("br")
  return {
    id: nextId++,
    arch: "x86_64",
    dir: Path.join(base, "root"),
    logDir: Path.join(base, "logs"),
    timeout: Duration.minutes(5),
    networking: false,
    ...overrides
  }
}

// a one-file spec (plus a source file) in a fresh directory
const specDir = (name: string, build: string, extraHeader = "") => {
  const dir = tmp(`spec-${name}`)
  Fs.writeFileSync(Path.join(dir, "note.txt"), "a source file\n")
  Fs.writeFileSync(
    Path.join(dir, `${name}.spec`),
    `Name: ${name}
Version: 1
Release: 1
Summary: test package ${name}
License: MIT
BuildArch: noarch
Source0: note.txt
${extraHeader}
%description
A package for the buildroot tests.

%prep
cp %{SOURCE0} .

%build
${build}

%install
mkdir -p %{buildroot}/usr/share/${name}
install -m 0644 note.txt %{buildroot}/usr/share/${name}/note.txt

%files
/usr/share/${name}/note.txt
`
  )
  return dir
}

const read = (file: string) => (Fs.existsSync(file) ? Fs.readFileSync(file, "utf8") : "")

// an SRPM from `dir`, then its rebuild, each in its own buildroot (as the build tasks do)
const buildAndRebuild = (dir: string, name: string, overrides: Partial<BuildrootOptions> = {}) =>
  Effect.gen(function*() {
    const backend = yield* BuildrootBackend
    const srcRoot = yield* backend.init(options({ ...overrides, networking: false }))
    const srpm = yield* backend.buildSRPM(srcRoot, { specFile: Path.join(dir, `${name}.spec`), sourceDir: dir })
    const keep = Path.join(tmp("srpm"), Path.basename(srpm))
    Fs.copyFileSync(srpm, keep)
    const root = yield* backend.init(options(overrides))
    const result = yield* Effect.either(backend.rebuild(root, { srpm: keep }))
    return { root, result }
  })

describe("Rpmbuild backend", () => {
  it.scopedLive("builds the hello SRPM, then its x86_64 and noarch RPMs, in bwrap; logs as it goes", () =>
    Effect.gen(function*() {
      const backend = yield* BuildrootBackend
      expect(backend.name).toBe("rpmbuild")
      const buildConfig = config({ "rpm.macro.dist": ".kts1", "mock.package_manager": "dnf" })

      // the SRPM, in a buildroot of its own that is removed when its scope closes
      const srpmScope = yield* Scope.make()
      const srcOptions = options({ arch: Rpmbuild.hostArch(), buildConfig, tagName: "f99-build", repoId: null })
      const srcRoot = yield* Scope.extend(backend.init(srcOptions), srpmScope)
      expect(srcRoot).toMatchObject({ backend: "rpmbuild", rootLog: Path.join(srcOptions.logDir, "root.log") })
      for (const sub of Rpmbuild.topdirLayout) {
        expect(Fs.statSync(Path.join(srcOptions.dir, "rpmbuild", sub)).isDirectory()).toBe(true)
      }
      const srpm = yield* backend.buildSRPM(srcRoot, { specFile: Path.join(hello, "hello.spec"), sourceDir: hello })
      expect(Path.isAbsolute(srpm)).toBe(true)
      expect(Path.basename(srpm)).toBe("hello-1.0-1.kts1.src.rpm")
      expect(nvra(srpm)).toMatch(/^hello-1\.0-1\.kts1\./)
      const kept = Path.join(tmp("kept"), Path.basename(srpm))
      Fs.copyFileSync(srpm, kept)
      const srcRootLog = read(srcRoot.rootLog)
      expect(srcRootLog).toContain("tree made:")
      expect(srcRootLog).toMatch(/tools: .*bwrap \(bubblewrap [\d.]+\), .*rpmbuild \(RPM version [\d.]+\)/)
      expect(srcRootLog).toContain("tag macros: %dist .kts1")
      expect(srcRootLog).toContain("--unshare-all")
      expect(srcRootLog).toMatch(/buildSRPM: rpmbuild exited with status 0/)
      expect(read(srcRoot.buildLog)).toContain(`Wrote: ${srpm}`)
      yield* Scope.close(srpmScope, Exit.void)
      expect(Fs.existsSync(Path.join(srcOptions.dir, "rpmbuild"))).toBe(false)
      expect(read(srcRoot.rootLog)).toContain("removing")

      // the rebuild for x86_64: the binary RPM, the noarch subpackage and the SRPM
      const root = yield* backend.init(options({ buildConfig }))
      const result = yield* backend.rebuild(root, { srpm: kept })
      expect(result.rpms.map(nvra)).toEqual(["hello-data-1.0-1.kts1.noarch", "hello-1.0-1.kts1.x86_64"])
      expect(result.rpms.every((f) => Path.isAbsolute(f) && Fs.existsSync(f))).toBe(true)
      expect(result.srpms.map((f) => Path.basename(f))).toEqual(["hello-1.0-1.kts1.src.rpm"])
      const buildLog = read(root.buildLog)
      expect(buildLog).toContain("Executing(%build)")
      expect(buildLog).toContain("gcc -O2 -o hello")
      expect(buildLog).toContain("Wrote: ")
      expect(read(root.rootLog)).toMatch(/rebuild: .*--target x86_64 -ra/)
      expect(yield* backend.installed(root)).toEqual([])
    }).pipe(Effect.provide(Rpmbuild.layer)))

  it.scopedLive("a broken spec fails with rpmbuild's error in the message and in build.log", () =>
    Effect.gen(function*() {
      const dir = specDir("broken", "echo about to fail\nexit 3")
      const { result, root } = yield* buildAndRebuild(dir, "broken")
      expect(result._tag).toBe("Left")
      if (result._tag !== "Left") return
      const error = result.left
      expect(error).toMatchObject({ _tag: "BuildrootError", faultCode: 1012, log: "build.log" })
      expect(error.message).toMatch(/^error building package \(arch x86_64\): rpmbuild exited with status 1/)
      expect(error.message).toMatch(/error: Bad exit status from \/var\/tmp\/rpm-tmp\.\w+ \(%build\)/)
      expect(read(root.buildLog)).toMatch(/error: Bad exit status from \/var\/tmp\/rpm-tmp\.\w+ \(%build\)/)
      expect(read(root.buildLog)).toContain("about to fail")
      // a spec that does not parse fails the SRPM build the same way
      const backend = yield* BuildrootBackend
      const bad = tmp("bad")
      Fs.writeFileSync(Path.join(bad, "bad.spec"), "Name: bad\n%description\nno version\n")
      const srcRoot = yield* backend.init(options())
      const failed = yield* Effect.flip(backend.buildSRPM(srcRoot, { specFile: Path.join(bad, "bad.spec"), sourceDir: bad }))
      expect(failed.message).toContain("rpmbuild exited with status 1")
      expect(failed.message).toMatch(/error: .*Version/i)
    }).pipe(Effect.provide(Rpmbuild.layer)))

  it.scopedLive("the sandbox has no network unless the buildroot allows it", () =>
    Effect.gen(function*() {
      // a server on the host's loopback: the sandbox has a loopback of its own
      // the client may be gone before the answer is written (a reset is not this test's business)
      const server = Net.createServer((socket) => {
        socket.on("error", () => undefined)
        socket.end("hello\n")
      })
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => {
          server.listen(0, "127.0.0.1", () => {
            resume(Effect.void)
          })
        }),
        () =>
          Effect.async<void>((resume) => {
            server.close(() => resume(Effect.void))
          })
      )
      const port = (server.address() as Net.AddressInfo).port
      const connect = `bash -c 'exec 3<>/dev/tcp/127.0.0.1/%{test_port} && echo connected'`
      const buildConfig = config({ "rpm.macro.test_port": port })
      const dir = specDir("net", connect)
      const offline = yield* buildAndRebuild(dir, "net", { buildConfig })
      expect(offline.result._tag).toBe("Left")
      expect(read(offline.root.buildLog)).toMatch(/Connection refused|Network is unreachable/)
      expect(read(offline.root.buildLog)).not.toContain("\nconnected")
      const online = yield* buildAndRebuild(dir, "net", { buildConfig, networking: true })
      expect(online.result._tag).toBe("Right")
      expect(read(online.root.buildLog)).toContain("\nconnected")
      expect(read(online.root.rootLog)).toContain("--share-net")
    }).pipe(Effect.provide(Rpmbuild.layer)))

  it.scopedLive("the sandbox cannot write outside its directory; its environment is clean", () =>
    Effect.gen(function*() {
      const marker = `kts-escape-${process.pid}-${Date.now()}`
      for (const target of ["/root", "/work", Os.tmpdir()]) {
        const file = Path.join(target, marker)
        const dir = specDir("escape", `echo escaping > ${file}`)
        const { result, root } = yield* buildAndRebuild(dir, "escape")
        expect(Fs.existsSync(file)).toBe(false)
        if (target === Os.tmpdir()) {
          // /tmp is a fresh tmpfs in the sandbox: the write works there and never reaches the host
          expect(result._tag).toBe("Right")
        } else {
          expect(result._tag).toBe("Left")
          expect(read(root.buildLog)).toContain("Read-only file system")
        }
      }
      process.env.KTS_SECRET_FOR_TEST = "do-not-leak"
      const envDir = specDir("envcheck", "env | sort > %{_topdir}/../env.txt")
      const { result, root } = yield* buildAndRebuild(envDir, "envcheck", {
        buildConfig: config({ "rpm.env.KTS_FROM_TAG": "tag-value" })
      })
      expect(result._tag).toBe("Right")
      const env = read(Path.join(root.options.dir, "env.txt"))
      expect(env).toContain(`HOME=${Path.resolve(root.options.dir)}\n`)
      expect(env).toContain(`PATH=${Rpmbuild.defaultPath}\n`)
      expect(env).toContain("TMPDIR=/tmp\n")
      expect(env).toContain("KTS_FROM_TAG=tag-value\n")
      expect(env).not.toContain("KTS_SECRET_FOR_TEST")
      delete process.env.KTS_SECRET_FOR_TEST
    }).pipe(Effect.provide(Rpmbuild.layer)))

  it.scopedLive("a build past its time limit is killed", () =>
    Effect.gen(function*() {
      const seconds = 900 + (process.pid % 90)
      const dir = specDir("slow", `sleep ${seconds}`)
      const started = Date.now()
      const { result, root } = yield* buildAndRebuild(dir, "slow", { timeout: Duration.seconds(2) })
      expect(Date.now() - started).toBeLessThan(30_000)
      expect(result._tag).toBe("Left")
      if (result._tag !== "Left") return
      expect(result.left.message).toMatch(/rpmbuild timed out after \d+ seconds and was killed/)
      expect(result.left.log).toBe("build.log")
      expect(read(root.rootLog)).toContain("timed out")
      // nothing of it is left running
      yield* Effect.sleep("200 millis")
      const running = Fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
        try {
          return Fs.readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ").trim() === `sleep ${seconds}`
        } catch {
          return false
        }
      })
      expect(running).toEqual([])
    }).pipe(Effect.provide(Rpmbuild.layer)))

  it.scopedLive("interrupting a build (a canceled task) kills it", () =>
    Effect.gen(function*() {
      const seconds = 800 + (process.pid % 90)
      const dir = specDir("cancel", `sleep ${seconds}`)
      const fiber = yield* Effect.fork(buildAndRebuild(dir, "cancel"))
      // wait until the sleep runs in the sandbox, then interrupt
      const running = () =>
        Fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
          try {
            return Fs.readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ").trim() === `sleep ${seconds}`
          } catch {
            return false
          }
        })
      for (let i = 0; i < 200 && running().length === 0; i++) yield* Effect.sleep("50 millis")
      expect(running().length).toBe(1)
      yield* Fiber.interrupt(fiber)
      for (let i = 0; i < 40 && running().length > 0; i++) yield* Effect.sleep("50 millis")
      expect(running()).toEqual([])
    }).pipe(Effect.provide(Rpmbuild.layer)))

  it.scopedLive("missing tools: a clear error naming the Debian package", () =>
    Effect.gen(function*() {
      const empty = tmp("nopath")
      const noBwrap = yield* Effect.flip(
        Effect.flatMap(BuildrootBackend, (b) => b.init(options())).pipe(Effect.provide(Rpmbuild.layerWith({ path: empty })))
      )
      expect(noBwrap).toMatchObject({
        _tag: "BuildrootError",
        message: "bwrap is not installed (install the `bubblewrap` package)"
      })
      const onlyBwrap = tmp("onlybwrap")
      Fs.symlinkSync("/usr/bin/bwrap", Path.join(onlyBwrap, "bwrap"))
      const opts = options()
      const noRpmbuild = yield* Effect.flip(
        Effect.flatMap(BuildrootBackend, (b) => b.init(opts)).pipe(Effect.provide(Rpmbuild.layerWith({ path: onlyBwrap })))
      )
      expect(noRpmbuild.message).toBe("rpmbuild is not installed (install the `rpm` package)")
      expect(read(Path.join(opts.logDir, "root.log"))).toContain("rpmbuild is not installed")
      // a root of another backend is refused, not misused
      const backend = Rpmbuild.make()
      const foreign: Root = { options: opts, backend: "mock", rootLog: "", buildLog: "" }
      const refused = yield* Effect.flip(backend.rebuild(foreign, { srpm: "/nonexistent.src.rpm" }))
      expect(refused.message).toContain("was not made by the rpmbuild backend")
    }))
})
