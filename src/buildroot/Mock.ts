/**
 * The `mock` backend (Fedora/RHEL builders): a mock config generated from the build tag and its
 * repo as Koji's `genMockConfig` writes it (`MockConfig.generate`), and `mock` run with kojid's
 * options: `--init`, `--no-clean --buildsrpm --spec --sources --target noarch`, `--no-clean
 * --target <arch> --rebuild <srpm>`; the tag's `mock.new_chroot` and `mock.bootstrap_image_ready`
 * become `--new-chroot`/`--old-chroot` and `--bootstrap-image-ready`. Results are read from mock's
 * resultdir; mock's own `root.log`, `build.log`, `state.log` and `hw_info.log` are appended to the
 * buildroot's log directory after each step, its console output to `mock_output.log`, and the
 * config itself is kept as `mock_config.log` (as kojid uploads them).
 *
 * A mock buildroot needs a repo (`repoId` and `tagName`) and the hub's `topurl` (or a local
 * `topdir`). When `mock` is not installed, `init` fails with a message naming the package.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { Effect, Layer } from "effect"
import {
  BuildrootBackend,
  BuildrootError,
  type BuildrootOptions,
  type InstalledRpm,
  type RebuildResult,
  type Root
} from "./Backend.js"
import * as MockConfig from "./MockConfig.js"
import * as Process from "./Process.js"

/**
 * Settings of the backend: kojid.conf's mock settings, and where `mock` is looked up.
 *
 * @since 0.1.0
 * @category models
 */
export interface MockOptions extends MockConfig.MockSettings {
  /** Where `mock` (and `rpm`, for the installed list) are looked up (default: `process.env.PATH`). */
  readonly path?: string | undefined
}

interface State {
  readonly mock: string
  readonly config: string
  readonly name: string
  readonly resultdir: string
  readonly rootdir: string
  readonly chrootFlags: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string>>
  readonly offsets: Map<string, number>
}

const states = Process.rootStates<State>("mock")
const stateOf = states.get

const fsTry = Process.fsTry

// mock's own logs, appended to the buildroot's log directory as they grow
const mockLogs = ["root.log", "build.log", "state.log", "hw_info.log"] as const

// kojid's parseStatus + _mockResult: which log tells more, by mock's exit status
const mockResult = (outcome: Process.Outcome): { readonly text: string; readonly log: "build.log" | "root.log" } => {
  if (outcome.timedOut) return { text: "mock timed out and was killed; see build.log for more information", log: "build.log" }
  if (outcome.exitCode === null) {
    return { text: `mock was killed by signal ${outcome.signal}; see root.log for more information`, log: "root.log" }
  }
  const where = outcome.exitCode === 10 ? "build.log" : outcome.exitCode === 1 ? "build.log or root.log" : "root.log"
  return {
    text: `mock exited with status ${outcome.exitCode}; see ${where} for more information`,
    log: outcome.exitCode === 10 || outcome.exitCode === 1 ? "build.log" : "root.log"
  }
}

const lastLines = (file: string, n: number) =>
  Effect.promise(async () => {
    try {
      const text = await Fs.promises.readFile(file, "utf8")
      return text.split("\n").map((l) => l.trimEnd()).filter((l) => l.length > 0).slice(-n)
    } catch {
      return [] as Array<string>
    }
  })

const rpmsIn = (dir: string) =>
  Effect.promise(async () => {
    try {
      return (await Fs.promises.readdir(dir)).filter((f) => f.endsWith(".rpm")).sort().map((f) => Path.join(dir, f))
    } catch {
      return [] as Array<string>
    }
  })

/**
 * The mock backend with its settings.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (settings: MockOptions = {}): BuildrootBackend["Type"] => {
  const searchPath = settings.path ?? process.env.PATH ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

  // append what mock's logs gained since the last step to the buildroot's logs
  const syncLogs = (root: Root, state: State) =>
    Effect.promise(async () => {
      for (const name of mockLogs) {
        const from = Path.join(state.resultdir, name)
        let size: number
        try {
          size = (await Fs.promises.stat(from)).size
        } catch {
          continue
        }
        const offset = state.offsets.get(name) ?? 0
        if (size <= offset) continue
        const handle = await Fs.promises.open(from, "r")
        try {
          const buffer = Buffer.alloc(size - offset)
          await handle.read(buffer, 0, buffer.length, offset)
          await Fs.promises.appendFile(Path.join(Path.resolve(root.options.logDir), name), buffer)
        } finally {
          await handle.close()
        }
        state.offsets.set(name, size)
      }
    })

  const runMock = (root: Root, state: State, args: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const full = ["-r", state.config, ...state.chrootFlags, "--resultdir", state.resultdir, ...args]
      yield* Process.logLine(root.rootLog, `running: ${[state.mock, ...full].map(Process.quote).join(" ")}`)
      const outcome = yield* Process.run({
        command: state.mock,
        args: full,
        env: state.env,
        cwd: Path.resolve(root.options.dir),
        log: Path.join(Path.resolve(root.options.logDir), "mock_output.log"),
        timeout: root.options.timeout
      }).pipe(Effect.ensuring(syncLogs(root, state)))
      return outcome
    })

  const fail = (root: Root, state: State, outcome: Process.Outcome, prefix: string) =>
    Effect.gen(function*() {
      const result = mockResult(outcome)
      const tail = yield* lastLines(Path.join(state.resultdir, result.log), 20)
      const lines = tail.length > 0 ? tail : outcome.tail
      yield* Process.logLine(root.rootLog, `${prefix}, ${result.text}`)
      return yield* new BuildrootError({ message: `${prefix}, ${result.text}\n${lines.join("\n")}`, log: result.log })
    })

  const init = (options: BuildrootOptions) =>
    Effect.gen(function*() {
      const dir = Path.resolve(options.dir)
      const logDir = Path.resolve(options.logDir)
      const { log, root } = yield* Process.openRoot(options, "mock")
      yield* log(`buildroot ${options.id}: mock for ${options.arch} (tag ${options.tagName ?? "none"}, repo ${options.repoId ?? "none"})`)
      const mock = yield* Process.requireTool("mock", "mock", searchPath, log)
      const text = yield* MockConfig.generate(options, settings).pipe(
        Effect.mapError((e) => new BuildrootError({ message: `cannot write the mock config: ${e.message}`, log: "root.log" }))
      )
      const name = MockConfig.buildrootName(options)
      const config = Path.join(dir, `${name}.cfg`)
      const resultdir = Path.join(dir, "result")
      yield* fsTry("cannot write the mock config", async () => {
        await Fs.promises.mkdir(resultdir, { recursive: true })
        await Fs.promises.writeFile(config, text)
        await Fs.promises.writeFile(Path.join(logDir, "mock_config.log"), text)
      })
      const extra = options.buildConfig?.extra ?? {}
      const chrootFlags: Array<string> = []
      if (Object.hasOwn(extra, "mock.new_chroot")) chrootFlags.push(extra["mock.new_chroot"] ? "--new-chroot" : "--old-chroot")
      if (extra["mock.bootstrap_image_ready"]) chrootFlags.push("--bootstrap-image-ready")
      const state: State = {
        mock,
        config,
        name,
        resultdir,
        rootdir: Path.join(settings.mockdir ?? "/var/lib/mock", name, "root"),
        chrootFlags,
        env: { PATH: searchPath, HOME: dir, LANG: "C.UTF-8" },
        offsets: new Map()
      }
      const version = yield* Process.capture(mock, ["--version"], state.env)
      yield* log(`tools: ${mock} (${version?.trim() ?? "version unknown"}); config ${config}`)
      states.set(root, state)
      yield* Effect.addFinalizer(() =>
        Effect.gen(function*() {
          yield* Effect.ignore(runMock(root, state, ["--scrub=all"]))
          yield* Effect.promise(() => Fs.promises.rm(dir, { recursive: true, force: true }))
        })
      )
      const outcome = yield* runMock(root, state, ["--init"])
      if (outcome.exitCode !== 0 || outcome.timedOut) yield* fail(root, state, outcome, "could not init mock buildroot")
      return root
    })

  const buildSRPM = (root: Root, input: { readonly specFile: string; readonly sourceDir: string }) =>
    Effect.gen(function*() {
      const state = yield* stateOf(root)
      const sourceDir = Path.resolve(input.sourceDir)
      // kojid's support_rpm_source_layout: a SOURCES directory holds the sources
      const alt = Path.join(sourceDir, "SOURCES")
      const sources = Fs.existsSync(alt) && Fs.statSync(alt).isDirectory() ? alt : sourceDir
      yield* fsTry("cannot clean the resultdir", () => removeRpms(state.resultdir))
      const outcome = yield* runMock(root, state, [
        "--no-clean",
        "--buildsrpm",
        "--spec",
        Path.resolve(input.specFile),
        "--sources",
        sources,
        "--target",
        "noarch"
      ])
      if (outcome.exitCode !== 0 || outcome.timedOut) return yield* fail(root, state, outcome, "error building srpm")
      const made = (yield* rpmsIn(state.resultdir)).filter((f) => f.endsWith(".src.rpm"))
      if (made.length !== 1) {
        return yield* new BuildrootError({ message: `expected one SRPM from mock, found ${made.length}`, log: "root.log" })
      }
      return made[0]!
    })

  const rebuild = (root: Root, input: { readonly srpm: string }) =>
    Effect.gen(function*() {
      const state = yield* stateOf(root)
      yield* fsTry("cannot clean the resultdir", () => removeRpms(state.resultdir))
      const outcome = yield* runMock(root, state, [
        "--no-clean",
        "--target",
        MockConfig.targetArchOf(root.options.arch),
        "--rebuild",
        Path.resolve(input.srpm)
      ])
      if (outcome.exitCode !== 0 || outcome.timedOut) {
        return yield* fail(root, state, outcome, `error building package (arch ${root.options.arch})`)
      }
      const files = yield* rpmsIn(state.resultdir)
      const result: RebuildResult = {
        rpms: files.filter((f) => !f.endsWith(".src.rpm")),
        srpms: files.filter((f) => f.endsWith(".src.rpm"))
      }
      return result
    })

  // kojid's getPackageList: the chroot's rpm database (without mock's buildsys-build and gpg-pubkey)
  const installed = (root: Root) =>
    Effect.gen(function*() {
      const state = yield* stateOf(root)
      const sysimage = Path.join(state.rootdir, "usr/lib/sysimage/rpm")
      const dbpath = Fs.existsSync(sysimage) ? sysimage : Path.join(state.rootdir, "var/lib/rpm")
      if (!Fs.existsSync(dbpath)) {
        return yield* new BuildrootError({ message: "Can't get list of installed rpms", log: "root.log" })
      }
      const rpm = yield* Process.which("rpm", searchPath)
      const out = rpm === undefined ? undefined : yield* Process.capture(rpm, [
        "--dbpath",
        dbpath,
        "-qa",
        "--qf",
        "%{NAME}\\t%{VERSION}\\t%{RELEASE}\\t%{EPOCH}\\t%{ARCH}\\n"
      ], state.env)
      if (out === undefined) {
        return yield* new BuildrootError({ message: "Can't get list of installed rpms", log: "root.log" })
      }
      const list: Array<InstalledRpm> = []
      for (const line of out.split("\n")) {
        const [name, version, release, epoch, arch] = line.split("\t")
        if (!name || !version || !release || !arch) continue
        if (name === "buildsys-build" || name === "gpg-pubkey") continue
        list.push({ name, version, release, epoch: epoch === "(none)" || epoch === undefined ? null : Number(epoch), arch })
      }
      return list
    })

  return { name: "mock", init, buildSRPM, rebuild, installed }
}

const removeRpms = async (dir: string) => {
  await Fs.promises.mkdir(dir, { recursive: true })
  for (const f of await Fs.promises.readdir(dir)) {
    if (f.endsWith(".rpm")) await Fs.promises.rm(Path.join(dir, f), { force: true })
  }
}

/**
 * The mock backend with kojid's default settings and `mock` on `process.env.PATH`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<BuildrootBackend> = Layer.sync(BuildrootBackend, () => make())

/**
 * The mock backend with settings.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = (settings: MockOptions): Layer.Layer<BuildrootBackend> =>
  Layer.succeed(BuildrootBackend, make(settings))
