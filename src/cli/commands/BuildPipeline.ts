/**
 * The build pipeline's commands, as Koji's CLI has them: `build` (a local SRPM
 * uploaded first to `cli-build/<unique>`, with Koji's text progress bar), `chain-build`
 * and `import` (each package uploaded to `cli-import/<unique>`, then `importRPM`); and
 * the helpers the download commands share (Koji's `unique_path`, progress lines,
 * `topurl`).
 *
 * Uploads use the SDK's chunked, verified upload (`KojiClient.upload`) on a subsession
 * of the CLI's login (the CLI's own connection keeps its session to itself), closed
 * after the upload.
 *
 * @since 0.1.0
 */
import { Args, Options } from "@effect/cli"
import { Terminal } from "@effect/platform"
import { Effect, Either, Option } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as KojiClient from "../../client/KojiClient.js"
import { BuildState } from "../../domain/Enums.js"
import * as Errors from "../../domain/Errors.js"
import * as Header from "../../rpm/Header.js"
import * as Connection from "../Connection.js"
import * as Format from "../Format.js"
import * as Handler from "../Handler.js"
import { type CliError, error, errorLine, print, Session, type SessionShape, usageError, warn } from "../Session.js"
import { getBuild } from "./BuildFormat.js"
import { parseArches } from "./Hosts.js"
import { inBackground, logoutAndWatch, shouldWait } from "./Tasks.js"

// ---------------------------------------------------------------------------------------------
// shared helpers

const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

/**
 * Koji's `unique_path(prefix)`: `prefix/<repr(time.time())>.<8 random letters>`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const uniquePath = (prefix: string, now: number = Date.now()): string => {
  let suffix = ""
  for (let i = 0; i < 8; i++) suffix += letters[Math.floor(Math.random() * letters.length)]
  return `${prefix}/${Format.pyFloat(now / 1000)}.${suffix}`
}

/**
 * Koji's `_format_size`: `12.00 B`, `1.50 KiB`, `3.20 MiB`, `1.00 GiB`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatSize = (size: number): string => {
  if (size / 1073741824 >= 1) return `${(size / 1073741824).toFixed(2)} GiB`
  if (size / 1048576 >= 1) return `${(size / 1048576).toFixed(2)} MiB`
  if (size / 1024 >= 1) return `${(size / 1024).toFixed(2)} KiB`
  return `${size.toFixed(2)} B`
}

/**
 * Koji's `_format_secs`: `HH:MM:SS`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatSecs = (t: number): string => {
  const p = (n: number) => String(Math.trunc(n)).padStart(2, "0")
  return `${p(t / 3600)}:${p((t % 3600) / 60)}:${p(t % 60)}`
}

const bar = (fraction: number) => Format.ljust("=".repeat(Math.trunc(fraction * 36)), 36)

/**
 * Koji's `_progress_callback` line (upload): bar, percent, elapsed, bytes done, speed; ends with `\r`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const uploadProgressLine = (uploaded: number, total: number, piece: number, time: number, totalTime: number): string => {
  const fraction = total === 0 ? 0 : uploaded / total
  const percent = `${String(Math.trunc(fraction * 100)).padStart(2, "0")}%`
  let speed = "- B/sec"
  if (time) speed = `${formatSize(uploaded !== total ? piece / time : total / totalTime)}/sec`
  return `[${bar(fraction)}] ${Format.rjust(percent, 4)} ${Format.rjust(formatSecs(totalTime), 8)} ${
    Format.rjust(formatSize(uploaded), 10)
  } ${Format.rjust(speed, 14)}\r`
}

/**
 * Koji's `_download_progress` line: bar, percent (`???%` when the total is unknown), bytes; ends with `\r`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const downloadProgressLine = (total: number, done: number, size?: number | null): string => {
  const fraction = total === 0 ? 0 : done / total
  const percent = total === 0 ? "???%" : `${String(Math.trunc(fraction * 100)).padStart(3)}%`
  const data = size ? `${formatSize(done)} / ${formatSize(size)}` : formatSize(done)
  return `[${bar(fraction)}] ${Format.rjust(percent, 4)} ${Format.rjust(data, 10)}\r`
}

/**
 * Text on the terminal without a newline (progress lines); failures ignored.
 *
 * @since 0.1.0
 * @category combinators
 */
export const display = (text: string): Effect.Effect<void, never, Terminal.Terminal> =>
  Effect.flatMap(Terminal.Terminal, (t) => Effect.ignore(t.display(text)))

/**
 * Where the hub's files are served: the profile's `topurl`, else `<server>/kojifiles`
 * (the koji-ts hub serves its topdir there).
 *
 * @since 0.1.0
 * @category combinators
 */
export const topurlOf = (settings: { readonly topurl: string | null; readonly server: string }): string => {
  if (settings.topurl !== null && settings.topurl !== "") return settings.topurl.replace(/\/+$/, "")
  const url = new URL(settings.server)
  url.pathname = url.pathname.replace(/\/(api|kojihub)\/?$/, "").replace(/\/+$/, "") + "/kojifiles"
  url.search = ""
  return url.toString().replace(/\/+$/, "")
}

/**
 * The CA to check an HTTPS hub with, as the session's connection uses it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const tlsOf = (session: SessionShape) => {
  const path = session.settings.serverca
  try {
    return path !== "" && Fs.statSync(path).isFile() ? { cert: "", key: "", ca: Fs.readFileSync(path, "utf8") } : undefined
  } catch {
    return undefined
  }
}

const toCliError = (e: unknown): CliError =>
  Errors.isKojiError(e) || e instanceof Errors.Fault
    ? e as Errors.AnyFault
    : new Connection.ConnectionError({ message: e instanceof Error ? e.message : String((e as { message?: unknown })?.message ?? e), cause: e })

/**
 * An anonymous SDK client to the session's hub (for the event stream and uploads).
 *
 * @since 0.1.0
 * @category constructors
 */
export const sdkClient = (session: SessionShape) =>
  KojiClient.makeForUrl({ url: session.settings.server, tls: tlsOf(session) })

/**
 * Python's `FileNotFoundError` for a local file that is not there (Koji's CLI dies with it).
 *
 * @since 0.1.0
 * @category combinators
 */
export const requireFile = (path: string): Effect.Effect<void, CliError> =>
  Effect.suspend(() => {
    try {
      if (Fs.statSync(path).isFile()) return Effect.void
    } catch {
      // answered below
    }
    return error(errorLine("FileNotFoundError", `[Errno 2] No such file or directory: ${Format.repr(path)}`))
  })

/**
 * Koji's `uploadWrapper(localfile, serverdir, callback)`: the file to `work/<serverdir>/<basename>`
 * through the SDK's chunked, verified upload, on a subsession of the logged-in session; with
 * `progress`, Koji's progress line after each chunk.
 *
 * @since 0.1.0
 * @category combinators
 */
export const uploadFile = (
  localPath: string,
  serverdir: string,
  options: { readonly progress: boolean; readonly name?: string | undefined }
): Effect.Effect<KojiClient.UploadResult, CliError, Session | Terminal.Terminal> =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* requireFile(localPath)
    const sub = (yield* session.call("subsession")) as { readonly "session-id": number; readonly "session-key": string }
    const terminal = yield* Terminal.Terminal
    const started = Date.now()
    let last = started
    let lastSent = 0
    return yield* Effect.scoped(Effect.gen(function*() {
      const client = yield* sdkClient(session)
      yield* client.useSession({ id: sub["session-id"], key: sub["session-key"], callnum: 0 })
      return yield* client.upload({
        path: serverdir,
        name: options.name ?? Path.basename(localPath),
        file: localPath,
        chunkSize: session.settings.upload_blocksize > 0 ? session.settings.upload_blocksize : undefined,
        onProgress: options.progress
          ? (sent, total) => {
            const now = Date.now()
            const line = uploadProgressLine(sent, total ?? sent, sent - lastSent, (now - last) / 1000, (now - started) / 1000)
            last = now
            lastSent = sent
            return Effect.ignore(terminal.display(line))
          }
          : undefined
      })
    })).pipe(
      Effect.mapError(toCliError),
      Effect.ensuring(Effect.ignore(session.call("logoutChild", { session_id: sub["session-id"] })))
    )
  })


const flag = (name: string, description: string) => Options.boolean(name).pipe(Options.withDescription(description))

const createdTask = (session: SessionShape, taskId: number) =>
  Effect.zipRight(
    print(`Created task: ${taskId}`),
    print(`Task info: ${session.settings.weburl}/taskinfo?taskID=${taskId}`)
  )

// ---------------------------------------------------------------------------------------------
// build

/**
 * `build`.
 *
 * @since 0.1.0
 * @category commands
 */
export const build = Handler.make("build", {
  category: "build",
  summary: "Build a package from source",
  usage: "build [options] <target> <srpm path or scm url>",
  description: "The first option is the build target, not to be confused with the destination\n" +
    "tag (where the build eventually lands) or build tag (where the buildroot\n" +
    "contents are pulled from).\n\n" +
    "You can list all available build targets using the 'koji-ts list-targets' command."
}, {
  skipTag: flag("skip-tag", "Do not attempt to tag package"),
  scratch: flag("scratch", "Perform a scratch build"),
  rebuildSrpm: flag("rebuild-srpm", "Force rebuilding SRPM for scratch build only"),
  noRebuildSrpm: flag("no-rebuild-srpm", "Force not to rebuild srpm for scratch build only"),
  wait: flag("wait", "Wait on the build, even if running in the background"),
  nowait: flag("nowait", "Don't wait on build"),
  waitRepo: flag("wait-repo", "Wait for a current repo for the build tag"),
  waitBuild: Options.text("wait-build").pipe(
    Options.withPseudoName("NVR"),
    Options.repeated,
    Options.withDescription("Wait for the given nvr to appear in buildroot repo")
  ),
  quiet: flag("quiet", "Do not print the task information"),
  archOverride: Options.text("arch-override").pipe(Options.optional, Options.withDescription("Override build arches")),
  failFast: flag("fail-fast", "Override build_arch_can_fail settings and fail as fast as possible"),
  repoId: Options.integer("repo-id").pipe(Options.optional, Options.withDescription("Use a specific repo")),
  noprogress: flag("noprogress", "Do not display progress of the upload"),
  background: flag("background", "Run the build at a lower priority"),
  customUserMetadata: Options.text("custom-user-metadata").pipe(
    Options.optional,
    Options.withDescription(
      "Provide a JSON string of custom metadata to be deserialized and stored under the build's extra.custom_user_metadata field"
    )
  ),
  draft: flag("draft", "Build draft build instead"),
  args: Args.text({ name: "target source" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.args.length !== 2) {
      return yield* usageError("Exactly two arguments (a build target and a SCM URL or srpm file) are required")
    }
    const rebuildSrpm = options.rebuildSrpm ? true : options.noRebuildSrpm ? false : null
    if (rebuildSrpm !== null && !options.scratch) return yield* usageError("--no-/rebuild-srpm is only allowed for --scratch builds")
    if (Option.isSome(options.archOverride) && !options.scratch) {
      return yield* usageError("--arch_override is only allowed for --scratch builds")
    }
    if (options.scratch && options.draft) return yield* usageError("--scratch and --draft cannot be both specfied")
    let metadata: unknown = {}
    if (Option.isSome(options.customUserMetadata)) {
      try {
        metadata = JSON.parse(options.customUserMetadata.value)
      } catch {
        return yield* usageError("--custom-user-metadata is not valid JSON")
      }
    }
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
      return yield* usageError("--custom-user-metadata must be a JSON object")
    }
    const quiet = options.quiet || session.settings.quiet
    yield* session.activate
    let target: string | null = options.args[0]!
    let skipTag = options.skipTag
    if (target.toLowerCase() === "none" && Option.isSome(options.repoId) && options.repoId.value) {
      target = null
      skipTag = true
    } else {
      const info = (yield* session.call("getBuildTarget", { info: target })) as
        | { dest_tag: number; dest_tag_name: string }
        | null
      if (info === null) return yield* usageError(`No such build target: ${target}`)
      const dest = (yield* session.call("getTag", { tagInfo: info.dest_tag })) as { name: string; locked: boolean } | null
      if (dest === null) return yield* usageError(`No such destination tag: ${info.dest_tag_name}`)
      if (dest.locked && !options.scratch) return yield* usageError(`Destination tag ${dest.name} is locked`)
    }
    let source = options.args[1]!
    const opts: Record<string, unknown> = {}
    if (Option.isSome(options.archOverride)) opts["arch_override"] = yield* parseArches(options.archOverride.value)
    // Koji passes each option that is not None (store_true flags are None unless given)
    if (skipTag) opts["skip_tag"] = true
    if (options.scratch) opts["scratch"] = true
    if (Option.isSome(options.repoId)) opts["repo_id"] = options.repoId.value
    if (options.failFast) opts["fail_fast"] = true
    if (options.waitRepo) opts["wait_repo"] = true
    opts["wait_builds"] = options.waitBuild
    if (rebuildSrpm !== null) opts["rebuild_srpm"] = rebuildSrpm
    if (options.draft) opts["draft"] = true
    opts["custom_user_metadata"] = metadata
    // relative to Koji's PRIO_DEFAULT
    const priority = options.background ? 5 : null
    if (!source.includes("://")) {
      // a local SRPM: upload it first
      if (!quiet) yield* print(`Uploading srpm: ${source}`)
      const serverdir = uniquePath("cli-build")
      yield* uploadFile(source, serverdir, { progress: !(inBackground(session) || options.noprogress || quiet) })
      yield* print("")
      source = `${serverdir}/${Path.basename(source)}`
    }
    const taskId = Number(yield* session.call("build", { src: source, target, opts, priority }))
    if (!quiet) yield* createdTask(session, taskId)
    const wait = shouldWait(session, options.wait, options.nowait)
    if (wait) yield* logoutAndWatch([taskId], quiet)
  }))

// ---------------------------------------------------------------------------------------------
// chain-build

/**
 * Koji's chain-build levels: `:` separates them; each source an SCM URL or an N-V-R.
 * Answers the levels, or the word that is neither.
 *
 * @since 0.1.0
 * @category parsing
 */
export const chainLevels = (sources: ReadonlyArray<string>): { levels: Array<Array<string>> } | { bad: string } => {
  const levels: Array<Array<string>> = []
  let level: Array<string> = []
  for (const src of sources) {
    if (src === ":") {
      if (level.length > 0) {
        levels.push(level)
        level = []
      }
    } else if (src.includes("://")) {
      level.push(src)
    } else if (!src.includes("/") && !src.endsWith(".rpm") && src.split("-").length >= 3) {
      level.push(src)
    } else {
      return { bad: src }
    }
  }
  if (level.length > 0) levels.push(level)
  return { levels }
}

/**
 * `chain-build`.
 *
 * @since 0.1.0
 * @category commands
 */
export const chainBuild = Handler.make("chain-build", {
  category: "build",
  summary: "Build one or more packages from source",
  usage: "chain-build [options] <target> <URL> [<URL> [:] <URL> [:] <URL> ...]"
}, {
  wait: flag("wait", "Wait on build, even if running in the background"),
  nowait: flag("nowait", "Don't wait on build"),
  quiet: flag("quiet", "Do not print the task information"),
  background: flag("background", "Run the build at a lower priority"),
  args: Args.text({ name: "target URL" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.args.length < 2) return yield* usageError("At least two arguments (a build target and a SCM URL) are required")
    const quiet = options.quiet || session.settings.quiet
    yield* session.activate
    const target = options.args[0]!
    const info = (yield* session.call("getBuildTarget", { info: target })) as
      | { name: string; build_tag: number; build_tag_name: string; dest_tag: number; dest_tag_name: string }
      | null
    if (info === null) return yield* usageError(`No such build target: ${target}`)
    const dest = (yield* session.call("getTag", { tagInfo: info.dest_tag, strict: true })) as {
      id: number
      name: string
      locked: boolean
    }
    if (dest.locked) return yield* usageError(`Destination tag ${dest.name} is locked`)
    // the destination tag must be in the build tag's inheritance, or the chain cannot work
    const ancestors = (yield* session.call("getFullInheritance", { tag: info.build_tag })) as ReadonlyArray<{ parent_id: number }>
    if (![info.build_tag, ...ancestors.map((a) => a.parent_id)].includes(dest.id)) {
      yield* warn(`Packages in destination tag ${info.dest_tag_name} are not inherited by build tag ${info.build_tag_name}`)
      return yield* error(`Target ${info.name} is not usable for a chain-build`)
    }
    const parsed = chainLevels(options.args.slice(1))
    if ("bad" in parsed) return yield* error(`"${parsed.bad}" is not a SCM URL or package N-V-R`)
    if (parsed.levels.length < 2) {
      return yield* usageError(
        "You must specify at least one dependency between builds with : (colon)\n" +
          "If there are no dependencies, use the build command instead"
      )
    }
    const priority = options.background ? 5 : null
    const taskId = Number(yield* session.call("chainBuild", { srcs: parsed.levels, target, priority }))
    if (!quiet) yield* createdTask(session, taskId)
    const wait = shouldWait(session, options.wait, options.nowait)
    if (wait) yield* logoutAndWatch([taskId], quiet)
  }))

// ---------------------------------------------------------------------------------------------
// import

/**
 * The header fields `import` reads from a package (Koji's `get_header_fields`).
 *
 * @since 0.1.0
 * @category models
 */
export interface PackageFields {
  readonly name: string
  readonly version: string
  readonly release: string
  readonly epoch: number | null
  readonly arch: string
  readonly sigmd5: string | null
  readonly sourcepackage: boolean
  readonly sourcerpm: string | null
}

/**
 * Read a local package's header fields; a file that is not an RPM is Koji's `GenericError`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const readPackage = (path: string): Effect.Effect<PackageFields, CliError> =>
  Effect.gen(function*() {
    yield* requireFile(path)
    const fd = Fs.openSync(path, "r")
    const header = yield* Header.read((size) =>
      Effect.sync(() => {
        const buffer = new Uint8Array(size)
        const n = Fs.readSync(fd, buffer, 0, size, 0)
        return buffer.subarray(0, n)
      })
    ).pipe(
      Effect.ensuring(Effect.sync(() => Fs.closeSync(fd))),
      Effect.mapError((e) => new Errors.GenericError({ message: `Unable to read header of ${path}: ${e.message}` }))
    )
    return {
      name: header.name,
      version: header.version,
      release: header.release,
      epoch: header.epoch,
      arch: header.isSource ? "src" : header.arch,
      sigmd5: header.sigmd5,
      sourcepackage: header.isSource,
      sourcerpm: header.sourcerpm
    }
  })

// koji.parse_NVRA of a source rpm's file name: its N-V-R
const srpmNvr = (sourcerpm: string) => {
  const base = sourcerpm.endsWith(".rpm") ? sourcerpm.slice(0, -4) : sourcerpm
  const dot = base.lastIndexOf(".")
  return dot === -1 ? base : base.slice(0, dot)
}

const parseEpoch = (text: string): number | null | undefined => {
  if (["None", "none", "(none)"].includes(text)) return null
  return /^\s*[-+]?\d+\s*$/.test(text) ? Number.parseInt(text, 10) : undefined
}

const isFault = (e: unknown): e is Errors.AnyFault => Errors.isKojiError(e) || e instanceof Errors.Fault

/**
 * `import`.
 *
 * @since 0.1.0
 * @category commands
 */
export const importCommand = Handler.make("import", {
  category: "admin",
  summary: "Import externally built RPMs into the database",
  usage: "import [options] <package> [<package> ...]"
}, {
  link: flag("link", "Attempt to hardlink instead of uploading"),
  test: flag("test", "Don't actually import"),
  createBuild: flag("create-build", "Auto-create builds as needed"),
  srcEpoch: Options.text("src-epoch").pipe(Options.optional, Options.withDescription("When auto-creating builds, use this epoch")),
  packages: Args.text({ name: "package" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.packages.length < 1) return yield* usageError("At least one package must be specified")
    let srcEpoch: number | null | undefined = undefined
    if (Option.isSome(options.srcEpoch) && options.srcEpoch.value !== "") {
      srcEpoch = parseEpoch(options.srcEpoch.value)
      if (srcEpoch === undefined) return yield* usageError(`Invalid value for epoch: ${options.srcEpoch.value}`)
    }
    if (options.link) return yield* error("--link is not supported by koji-ts (the CLI cannot write the hub's topdir)")
    yield* session.activate
    const toImport = new Map<string, Array<{ path: string; data: PackageFields }>>()
    for (const path of options.packages) {
      const data = yield* readPackage(path)
      const nvr = data.sourcepackage
        ? `${data.name}-${data.version}-${data.release}`
        : srpmNvr(data.sourcerpm ?? `${data.name}-${data.version}-${data.release}.src.rpm`)
      const list = toImport.get(nvr) ?? []
      list.push({ path, data })
      toImport.set(nvr, list)
    }
    const nvrs = [...toImport.keys()].sort()
    let missing = false
    for (const nvr of nvrs) {
      const list = toImport.get(nvr)!
      list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      if (!list.some((p) => p.data.sourcepackage) && (yield* getBuild(nvr)) === null) {
        yield* print(`Missing build or srpm: ${nvr}`)
        missing = true
      }
    }
    if (missing && !options.createBuild) return yield* print("Aborting import")

    const doImport = (path: string, data: PackageFields) =>
      Effect.gen(function*() {
        const prev = (yield* session.call("getRPM", {
          rpminfo: { name: data.name, version: data.version, release: data.release, arch: data.arch }
        })) as { payloadhash: string; external_repo_id?: number | null } | null
        if (prev !== null && !prev.external_repo_id) {
          if (prev.payloadhash === data.sigmd5) {
            yield* print(`RPM already imported: ${path}`)
          } else {
            yield* warn(`md5sum mismatch for ${path}`)
            yield* warn("  A different rpm with the same name has already been imported")
            yield* warn(`  Existing sigmd5 is ${Format.repr(prev.payloadhash)}, your import has ${Format.repr(data.sigmd5)}`)
          }
          return yield* print("Skipping import")
        }
        if (options.test) return yield* print(`Test mode -- skipping import for ${path}`)
        const serverdir = uniquePath("cli-import")
        yield* uploadFile(path, serverdir, { progress: false })
        yield* print(`uploading ${path}... done`)
        const imported = yield* Effect.either(session.call("importRPM", { path: serverdir, basename: Path.basename(path) }))
        if (Either.isRight(imported)) return yield* print(`importing ${path}... done`)
        if (!isFault(imported.left)) return yield* Effect.fail(imported.left)
        yield* print(`importing ${path}... `)
        yield* print(`Error importing: ${imported.left.message.split("\n").filter((l) => l !== "").pop() ?? ""}`)
      })

    for (const nvr of nvrs) {
      const list = toImport.get(nvr)!
      let needBuild = true
      let binfo = yield* getBuild(nvr)
      const stateOf = (b: { state: number }) => BuildState.name(b.state) ?? String(b.state)
      if (binfo !== null) {
        const state = stateOf(binfo)
        if (state === "COMPLETE") {
          needBuild = false
        } else if (state === "FAILED" || state === "CANCELED") {
          if (!options.createBuild) {
            yield* print(`Build ${nvr} state is ${state}. Skipping import`)
            continue
          }
        } else {
          yield* print(`Build ${nvr} exists with state=${state}. Skipping import`)
          continue
        }
      }
      // source packages first
      for (const { data, path } of list) {
        if (!data.sourcepackage) continue
        if (binfo !== null && stateOf(binfo) !== "COMPLETE") {
          yield* print(`Creating empty build: ${nvr}`)
          yield* session.call("createEmptyBuild", {
            name: binfo.name,
            version: binfo.version,
            release: binfo.release,
            epoch: data.epoch
          })
          binfo = yield* getBuild(nvr)
        }
        yield* doImport(path, data)
        needBuild = false
      }
      if (needBuild) {
        if (!options.createBuild) {
          if (binfo !== null) yield* print(`Build ${nvr} state is ${stateOf(binfo)}. Skipping import`)
          else yield* print(`No such build: ${nvr} (include matching srpm or use --create-build option to add it)`)
          continue
        }
        const parts = nvr.split("-")
        const release = parts.pop()!
        const version = parts.pop()!
        const epoch = srcEpoch ? srcEpoch : list[0]!.data.epoch
        if (options.test) {
          yield* print(`Test mode -- would have created empty build: ${nvr}`)
        } else {
          yield* print(`Creating empty build: ${nvr}`)
          yield* session.call("createEmptyBuild", { name: parts.join("-"), version, release, epoch })
          binfo = yield* getBuild(nvr)
        }
      }
      for (const { data, path } of list) {
        if (data.sourcepackage) continue
        yield* doImport(path, data)
      }
    }
  }))

/**
 * The build pipeline's commands.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands: ReadonlyArray<Handler.Spec> = [build, chainBuild, importCommand]
