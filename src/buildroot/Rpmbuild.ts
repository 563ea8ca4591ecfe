/**
 * The `rpmbuild` backend (the default): the host's own `rpmbuild` run inside a bubblewrap
 * sandbox, on a fresh `_topdir` tree (BUILD, BUILDROOT, RPMS, SOURCES, SPECS, SRPMS) in the
 * buildroot's directory.
 *
 * The sandbox sees the host read-only (`--ro-bind / /`), with only the buildroot's directory
 * writable, fresh `/dev`, `/proc`, `/tmp` and `/var/tmp`, no network (`--unshare-all`, unless
 * the buildroot allows it for SCM SRPM builds), a new session, a clean environment (PATH, HOME =
 * the buildroot directory, LANG=C.UTF-8, TMPDIR=/tmp and the tag's `rpm.env.*`), and it dies
 * with the builder. The tag's `rpm.macro.NAME` extras become `--define "NAME value"`. Build
 * requirements are not installed: it builds with the host's toolchain (`--nodeps`). See the
 * README for what it does not isolate compared with mock.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
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
import * as Process from "./Process.js"

/**
 * Settings of the backend.
 *
 * @since 0.1.0
 * @category models
 */
export interface RpmbuildOptions {
  /** Where `bwrap` and `rpmbuild` are looked up (default: `process.env.PATH`) and the sandbox's PATH (default: `defaultPath`). */
  readonly path?: string | undefined
}

/**
 * The default search path for the tools (and the sandbox's PATH) when none is given.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/**
 * The `_topdir` subdirectories rpmbuild expects.
 *
 * @since 0.1.0
 * @category constants
 */
export const topdirLayout = ["BUILD", "BUILDROOT", "RPMS", "SOURCES", "SPECS", "SRPMS"] as const

interface State {
  readonly topdir: string
  readonly bwrap: string
  readonly rpmbuild: string
  readonly path: string
}

const states = Process.rootStates<State>("rpmbuild")
const stateOf = states.get

const fsTry = Process.fsTry

/**
 * The tag's `rpm.macro.NAME` extras as `[NAME, value]` (Koji's genMockConfig turns them into `%NAME`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const tagMacros = (options: BuildrootOptions): ReadonlyArray<readonly [string, string]> =>
  extraWithPrefix(options, "rpm.macro.")

/**
 * The tag's `rpm.env.NAME` extras as `[NAME, value]`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tagEnv = (options: BuildrootOptions): ReadonlyArray<readonly [string, string]> =>
  extraWithPrefix(options, "rpm.env.")

const extraWithPrefix = (options: BuildrootOptions, prefix: string): Array<readonly [string, string]> => {
  const extra = options.buildConfig?.extra ?? {}
  return Object.keys(extra)
    .filter((key) => key.startsWith(prefix) && key.length > prefix.length)
    .sort()
    .map((key) => [key.slice(prefix.length), pythonStr(extra[key])] as const)
}

// Python's str() of a JSON value, as Koji formats extra values into macros
const pythonStr = (value: unknown): string => {
  if (typeof value === "string") return value
  if (value === true) return "True"
  if (value === false) return "False"
  if (value === null || value === undefined) return "None"
  return typeof value === "object" ? JSON.stringify(value) : String(value as number)
}

const rpmFiles = (dir: string): Effect.Effect<Array<string>> =>
  Effect.promise(async () => {
    const found: Array<string> = []
    const walk = async (d: string): Promise<void> => {
      let entries: Array<Fs.Dirent>
      try {
        entries = await Fs.promises.readdir(d, { withFileTypes: true })
      } catch {
        return
      }
      for (const entry of entries) {
        const full = Path.join(d, entry.name)
        if (entry.isDirectory()) await walk(full)
        else if (entry.isFile() && entry.name.endsWith(".rpm")) found.push(full)
      }
    }
    await walk(dir)
    return found.sort()
  })

/**
 * The rpmbuild backend with its settings.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (settings: RpmbuildOptions = {}): BuildrootBackend["Type"] => {
  const searchPath = settings.path ?? process.env.PATH ?? defaultPath

  const init = (options: BuildrootOptions) =>
    Effect.gen(function*() {
      const dir = Path.resolve(options.dir)
      const { log, root } = yield* Process.openRoot(options, "rpmbuild")
      yield* log(`buildroot ${options.id}: rpmbuild in bwrap for ${options.arch}${
        options.tagName ? ` (tag ${options.tagName}${options.repoId !== null && options.repoId !== undefined ? `, repo ${options.repoId}` : ", no repo"})` : ""
      }`)
      const bwrap = yield* Process.requireTool("bwrap", "bubblewrap", searchPath, log)
      const rpmbuild = yield* Process.requireTool("rpmbuild", "rpm", searchPath, log)
      const env = { PATH: searchPath, LANG: "C.UTF-8" }
      const versions = yield* Effect.all([
        Process.capture(bwrap, ["--version"], env),
        Process.capture(rpmbuild, ["--version"], env)
      ])
      yield* log(`tools: ${bwrap} (${versions[0]?.trim() ?? "version unknown"}), ${rpmbuild} (${
        versions[1]?.trim() ?? "version unknown"
      })`)
      const topdir = Path.join(dir, "rpmbuild")
      yield* Effect.acquireRelease(
        fsTry("cannot make the buildroot tree", async () => {
          await Fs.promises.mkdir(dir, { recursive: true })
          for (const sub of topdirLayout) await Fs.promises.mkdir(Path.join(topdir, sub), { recursive: true })
        }),
        () =>
          Effect.zipRight(
            log(`removing ${topdir}`),
            Effect.promise(() => Fs.promises.rm(topdir, { recursive: true, force: true }))
          )
      )
      yield* log(`tree made: ${topdir} (${topdirLayout.join(", ")})`)
      const macros = tagMacros(options)
      if (macros.length > 0) yield* log(`tag macros: ${macros.map(([k, v]) => `%${k} ${v}`).join(", ")}`)
      states.set(root, { topdir, bwrap, rpmbuild, path: settings.path ?? defaultPath })
      return root
    })

  // the bwrap command line around `rpmbuild <args>`
  const sandboxed = (root: Root, state: State, args: ReadonlyArray<string>) => {
    const { options } = root
    const dir = Path.resolve(options.dir)
    const env: Record<string, string> = {}
    for (const [name, value] of tagEnv(options)) env[name] = value
    Object.assign(env, { PATH: state.path, HOME: dir, LANG: "C.UTF-8", TMPDIR: "/tmp" })
    const bwrapArgs = [
      "--ro-bind", "/", "/",
      "--dev", "/dev",
      "--proc", "/proc",
      "--tmpfs", "/tmp",
      "--tmpfs", "/var/tmp",
      // after the tmpfs mounts, so a directory under /tmp stays visible
      "--bind", dir, dir,
      "--unshare-all",
      ...(options.networking ? ["--share-net"] : []),
      "--die-with-parent",
      "--new-session",
      "--clearenv",
      ...Object.entries(env).flatMap(([k, v]) => ["--setenv", k, v]),
      "--chdir", dir,
      "--",
      state.rpmbuild,
      "--define", `_topdir ${state.topdir}`,
      ...tagMacros(options).flatMap(([name, value]) => ["--define", `${name} ${value}`]),
      "--nodeps",
      ...args
    ]
    return bwrapArgs
  }

  const runRpmbuild = (root: Root, state: State, what: string, args: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const { options } = root
      const bwrapArgs = sandboxed(root, state, args)
      yield* Process.logLine(root.rootLog, `${what}: ${[state.bwrap, ...bwrapArgs].map(Process.quote).join(" ")}`)
      const started = Date.now()
      const outcome = yield* Process.run({
        command: state.bwrap,
        args: bwrapArgs,
        env: { PATH: state.path, LANG: "C.UTF-8" },
        cwd: Path.resolve(options.dir),
        log: root.buildLog,
        timeout: options.timeout
      })
      const seconds = ((Date.now() - started) / 1000).toFixed(3)
      if (outcome.timedOut) {
        yield* Process.logLine(root.rootLog, `${what}: timed out after ${seconds} s, killed`)
        return yield* new BuildrootError({
          message: `error building package (arch ${options.arch}): rpmbuild timed out after ${
            Math.round(Number(seconds))
          } seconds and was killed; see build.log for more information`,
          log: "build.log"
        })
      }
      const status = outcome.exitCode === null ? `signal ${outcome.signal}` : `status ${outcome.exitCode}`
      yield* Process.logLine(root.rootLog, `${what}: rpmbuild exited with ${status} after ${seconds} s`)
      if (outcome.exitCode !== 0) {
        return yield* new BuildrootError({
          message: `error building package (arch ${options.arch}): rpmbuild exited with ${status}; ` +
            `see build.log for more information\n${outcome.tail.join("\n")}`,
          log: "build.log"
        })
      }
    })

  // copy a file or a directory's content into the tree (the sandbox sees only the buildroot's directory)
  const copyInto = (from: string, to: string) =>
    fsTry(`cannot copy ${from}`, () =>
      Fs.promises.cp(from, to, {
        recursive: true,
        force: true,
        filter: (src) => Path.basename(src) !== ".git"
      }))

  const buildSRPM = (root: Root, input: { readonly specFile: string; readonly sourceDir: string }) =>
    Effect.gen(function*() {
      const state = yield* stateOf(root)
      const specFile = Path.resolve(input.specFile)
      const sourceDir = Path.resolve(input.sourceDir)
      const specs = Path.join(state.topdir, "SPECS")
      const sources = Path.join(state.topdir, "SOURCES")
      const srpms = Path.join(state.topdir, "SRPMS")
      const spec = Path.join(specs, Path.basename(specFile))
      yield* fsTry(`cannot read the spec ${specFile}`, () => Fs.promises.access(specFile, Fs.constants.R_OK))
      yield* copyInto(sourceDir, sources)
      yield* copyInto(specFile, spec)
      yield* Process.logLine(root.rootLog, `sources copied from ${sourceDir}, spec ${specFile}`)
      yield* fsTry("cannot clean SRPMS", () => emptyDir(srpms))
      yield* runRpmbuild(root, state, "buildSRPM", ["--define", `_sourcedir ${sources}`, "-bs", spec])
      const made = (yield* rpmFiles(srpms)).filter((f) => f.endsWith(".src.rpm"))
      if (made.length !== 1) {
        return yield* new BuildrootError({
          message: `expected one SRPM from ${Path.basename(specFile)}, rpmbuild made ${made.length}`,
          log: "build.log"
        })
      }
      return made[0]!
    })

  const rebuild = (root: Root, input: { readonly srpm: string }) =>
    Effect.gen(function*() {
      const state = yield* stateOf(root)
      const srpm = Path.resolve(input.srpm)
      if (!srpm.endsWith(".src.rpm")) {
        return yield* new BuildrootError({ message: `not an SRPM: ${srpm}`, log: "root.log" })
      }
      const incoming = Path.join(state.topdir, "..", "incoming")
      const copy = Path.join(incoming, Path.basename(srpm))
      yield* fsTry(`cannot read the SRPM ${srpm}`, async () => {
        await Fs.promises.mkdir(incoming, { recursive: true })
        if (copy !== srpm) await Fs.promises.copyFile(srpm, copy)
      })
      const rpms = Path.join(state.topdir, "RPMS")
      const srpms = Path.join(state.topdir, "SRPMS")
      yield* fsTry("cannot clean RPMS and SRPMS", async () => {
        await emptyDir(rpms)
        await emptyDir(srpms)
      })
      // -ra: binary and source packages from the SRPM (as mock --rebuild leaves both in its resultdir)
      yield* runRpmbuild(root, state, "rebuild", ["--target", root.options.arch, "-ra", copy])
      const result: RebuildResult = {
        rpms: yield* rpmFiles(rpms),
        srpms: (yield* rpmFiles(srpms)).filter((f) => f.endsWith(".src.rpm"))
      }
      yield* Process.logLine(
        root.rootLog,
        `rebuild made: ${[...result.srpms, ...result.rpms].map((f) => Path.basename(f)).join(", ")}`
      )
      return result
    })

  // the host's packages are not what the build used (Debian has no rpm database of them)
  const installed = (_root: Root): Effect.Effect<ReadonlyArray<InstalledRpm>, BuildrootError> => Effect.succeed([])

  return { name: "rpmbuild", init, buildSRPM, rebuild, installed }
}

const emptyDir = async (dir: string) => {
  await Fs.promises.rm(dir, { recursive: true, force: true })
  await Fs.promises.mkdir(dir, { recursive: true })
}

/**
 * The rpmbuild backend with the tools on `process.env.PATH`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<BuildrootBackend> = Layer.sync(BuildrootBackend, () => make())

/**
 * The rpmbuild backend with settings.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith = (settings: RpmbuildOptions): Layer.Layer<BuildrootBackend> =>
  Layer.succeed(BuildrootBackend, make(settings))

/**
 * The host's arch as rpm names it (`x86_64`, `aarch64`, ...), for SRPM builds.
 *
 * @since 0.1.0
 * @category constructors
 */
export const hostArch = (): string => {
  switch (Os.arch()) {
    case "x64":
      return "x86_64"
    case "arm64":
      return "aarch64"
    case "ppc64":
      return Os.endianness() === "LE" ? "ppc64le" : "ppc64"
    case "ia32":
      return "i686"
    default:
      return Os.arch()
  }
}
