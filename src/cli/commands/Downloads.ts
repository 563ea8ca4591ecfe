/**
 * The download and log commands, as Koji's CLI has them: `download-build` (a build's
 * RPMs from `<topurl>/packages/N/V/R/ARCH/file`), `download-task` (a task's and its
 * children's output from `<topurl>/work/tasks/<id%10000>/<id>/`), `download-logs` (each
 * task's `.log` files through `downloadTaskOutput`, resumable with `--continue`) and
 * `watch-logs` (the growing logs of running tasks).
 *
 * `watch-logs` reads as Koji does (`listTaskOutput`, then `downloadTaskOutput` from each
 * log's offset) but wakes on the hub's event stream (`task.output`, `task.state`), so
 * output appears as soon as it is uploaded; a hub without the stream is polled every
 * `poll_interval` seconds, as Koji does.
 *
 * @since 0.1.0
 */
import { Args, Options } from "@effect/cli"
import { type Terminal } from "@effect/platform"
import { Effect, Option, Queue, Stream } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { TaskState } from "../../domain/Enums.js"
import * as Errors from "../../domain/Errors.js"
import * as Header from "../../rpm/Header.js"
import * as Format from "../Format.js"
import * as Handler from "../Handler.js"
import { type CliError, error, errorLine, print, Session, type SessionShape, usageError, warn } from "../Session.js"
import { listTaskOutput, taskDir, type TaskInfo, watchTasks } from "../TaskWatcher.js"
import { type BuildInfo, buildDir, getBuild, type RpmInfo, rpmPath } from "./BuildFormat.js"
import { display, downloadProgressLine, sdkClient, topurlOf } from "./BuildPipeline.js"
import { listTasks } from "./Tasks.js"
import { fnmatch as PolicyFnmatch } from "../../hub/PolicyTests.js"

// ---------------------------------------------------------------------------------------------
// helpers

const flag = (name: string, description: string) => Options.boolean(name).pipe(Options.withDescription(description))

const inBackground = (session: SessionShape) => !session.environment.isTTY

const httpError = (status: number, statusText: string, url: string) =>
  error(errorLine("HTTPError", `${status} ${status >= 500 ? "Server" : "Client"} Error: ${statusText} for url: ${url}`))

const fetchFailure = (url: string) => (e: unknown) =>
  new Errors.GenericError({ message: `download of ${url} failed: ${e instanceof Error ? e.message : String(e)}` })

const fileSize = (path: string): number | undefined => {
  try {
    return Fs.statSync(path).size
  } catch {
    return undefined
  }
}

/**
 * Koji's `download_file(url, relpath, quiet, noprogress, size, num, filesize)`: prints
 * `Downloading [num/size]: relpath`, skips a file already whole, appends to a partial one
 * (an HTTP range), shows Koji's progress line, and keeps the server's modification time.
 *
 * @since 0.1.0
 * @category combinators
 */
export const downloadFile = (
  url: string,
  relpath: string,
  options: {
    readonly quiet?: boolean | undefined
    readonly noprogress?: boolean | undefined
    readonly size?: number | undefined
    readonly num?: number | undefined
    readonly filesize?: number | null | undefined
  } = {}
): Effect.Effect<void, CliError, Terminal.Terminal> =>
  Effect.gen(function*() {
    const quiet = options.quiet === true
    const progress = !(quiet || options.noprogress === true)
    if (relpath.includes("/")) Fs.mkdirSync(Path.dirname(relpath), { recursive: true })
    if (!quiet) {
      yield* print(options.size && options.num ? `Downloading [${options.num}/${options.size}]: ${relpath}` : `Downloading: ${relpath}`)
    }
    const filesize = options.filesize ?? undefined
    let pos = 0
    const headers: Record<string, string> = {}
    if (filesize) {
      pos = fileSize(relpath) ?? 0
      if (pos !== 0) {
        if (pos === filesize) {
          if (!quiet) yield* print(`File ${relpath} already downloaded, skipping`)
          return
        }
        if (!quiet) yield* print(`Appending to existing file ${relpath}`)
        headers["Range"] = `bytes=${pos}-`
      }
    }
    const response = yield* Effect.tryPromise({ try: (signal) => fetch(url, { headers, signal }), catch: fetchFailure(url) })
    // the whole content (or a range past the end): write it from the start
    if (response.status === 200 || response.status === 416) pos = 0
    if (!response.ok) {
      if (pos === 0) Fs.rmSync(relpath, { force: true })
      return yield* httpError(response.status, response.statusText, url)
    }
    const fd = Fs.openSync(relpath, pos === 0 ? "w" : "a")
    const length = filesize || Number(response.headers.get("content-length") ?? 0)
    const body = response.body
    yield* Effect.ensuring(
      body === null ? Effect.void : Stream.fromReadableStream(() => body, fetchFailure(url)).pipe(
        Stream.runForEach((chunk) =>
          Effect.gen(function*() {
            Fs.writeSync(fd, chunk)
            pos += chunk.length
            if (progress) yield* display(downloadProgressLine(length, pos, filesize))
          })
        )
      ),
      Effect.sync(() => Fs.closeSync(fd))
    )
    if (!length && progress) yield* display(downloadProgressLine(pos, pos, filesize))
    if (pos === 0 && fileSize(relpath) === 0) Fs.rmSync(relpath, { force: true })
    const modified = response.headers.get("last-modified")
    if (modified !== null && pos > 0) {
      const mtime = new Date(modified)
      if (!Number.isNaN(mtime.getTime())) Fs.utimesSync(relpath, new Date(), mtime)
    }
    if (progress) yield* print("")
  })

/**
 * `koji.is_debuginfo(name)`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const isDebuginfo = (name: string): boolean =>
  name.endsWith("-debuginfo") || name.endsWith("-debugsource") || name.includes("-debuginfo-")

const readHeader = (path: string) =>
  Effect.suspend(() => {
    const fd = Fs.openSync(path, "r")
    return Header.read((size) =>
      Effect.sync(() => {
        const buffer = new Uint8Array(size)
        return buffer.subarray(0, Fs.readSync(fd, buffer, 0, size, 0))
      })
    ).pipe(Effect.ensuring(Effect.sync(() => Fs.closeSync(fd))))
  })

// Koji's download_rpm: the file, then its size and payload hash against the hub's record
const downloadRpm = (
  build: BuildInfo,
  rpm: RpmInfo,
  topurl: string,
  options: { quiet: boolean; noprogress: boolean; num: number; size: number; sigkey: string | null }
) =>
  Effect.gen(function*() {
    const fname = options.sigkey ? `data/signed/${options.sigkey}/${rpmPath(rpm)}` : rpmPath(rpm)
    const path = Path.basename(fname)
    yield* downloadFile(`${buildDir(topurl, build)}/${fname}`, path, {
      quiet: options.quiet,
      noprogress: options.noprogress,
      filesize: options.sigkey ? null : rpm.size,
      num: options.num,
      size: options.size
    })
    if (!options.sigkey) {
      const size = fileSize(path) ?? 0
      if (size !== rpm.size) {
        Fs.rmSync(path, { force: true })
        return yield* error(`Downloaded rpm ${path} size ${size} does not match db size ${rpm.size}, deleting`)
      }
    }
    const header = yield* Effect.either(readHeader(path))
    if (header._tag === "Left") {
      Fs.rmSync(path, { force: true })
      yield* warn(header.left.message)
      return yield* error(`Downloaded rpm ${path} is not valid rpm file, deleting`)
    }
    if (header.right.sigmd5 !== rpm.payloadhash) {
      Fs.rmSync(path, { force: true })
      return yield* error(`Downloaded rpm ${path} doesn't match db, deleting`)
    }
  })

const buildLabel = (b: BuildInfo) => `${b.name}-${b.version}-${b.release}`

// ---------------------------------------------------------------------------------------------
// download-build

/**
 * `download-build`.
 *
 * @since 0.1.0
 * @category commands
 */
export const downloadBuild = Handler.make("download-build", {
  category: "download",
  summary: "Download a completed build",
  usage: "download-build [options] <n-v-r|build_id>",
  description: "Downloads files from the specified build entry\n" +
    "Note: scratch builds do not have build entries. Use download-task for those",
  anonymous: true
}, {
  arch: Options.text("arch").pipe(
    Options.withAlias("a"),
    Options.withPseudoName("ARCH"),
    Options.repeated,
    Options.withDescription("Only download packages for this arch (may be used multiple times)")
  ),
  type: Options.text("type").pipe(
    Options.optional,
    Options.withDescription("Download archives of the given type, rather than rpms (maven, win, image, remote-sources)")
  ),
  latestfrom: Options.text("latestfrom").pipe(Options.optional, Options.withDescription("Download the latest build from this tag")),
  debuginfo: flag("debuginfo", "Also download -debuginfo rpms"),
  taskId: flag("task-id", "Interperet id as a task id"),
  rpm: flag("rpm", "Download the given rpm"),
  key: Options.text("key").pipe(Options.optional, Options.withDescription("Download rpms signed with the given key")),
  fallbackUnsigned: flag("fallback-unsigned", "When used with --key: download unsigned if signed packages not found"),
  topurl: Options.text("topurl").pipe(
    Options.withPseudoName("URL"),
    Options.optional,
    Options.withDescription("URL under which Koji files are accessible")
  ),
  noprogress: flag("noprogress", "Do not display progress meter"),
  quiet: Options.boolean("quiet").pipe(Options.withAlias("q"), Options.withDescription("Suppress output")),
  builds: Args.text({ name: "n-v-r|build_id" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.builds.length < 1) return yield* usageError("Please specify a package N-V-R or build ID")
    if (options.builds.length > 1) return yield* usageError("Only a single package N-V-R or build ID may be specified")
    const quiet = options.quiet || session.settings.quiet
    yield* session.ensureConnection
    let ref: string | number = options.builds[0]!
    if (/^\d+$/.test(ref)) {
      if (Option.isSome(options.latestfrom)) {
        return yield* usageError("--latestfrom not compatible with build IDs, specify a package name.")
      }
      ref = Number(ref)
      if (options.taskId) {
        const builds = (yield* session.call("listBuilds", { taskID: ref })) as ReadonlyArray<BuildInfo>
        if (builds.length === 0) {
          return yield* error(`No associated builds for task ${ref}\nIf this is a scratch build, try using download-task instead`)
        }
        ref = builds[0]!.build_id
      }
    }
    let info: BuildInfo | null
    let given: RpmInfo | undefined
    if (Option.isSome(options.latestfrom)) {
      const builds = (yield* session.call("listTagged", {
        tag: options.latestfrom.value,
        latest: true,
        package: String(ref),
        ...(Option.isSome(options.type) ? { type: options.type.value } : {})
      }).pipe(
        Effect.catchIf(
          (e) => Errors.isKojiError(e) || e instanceof Errors.Fault,
          (e) => error(`Error finding latest build: ${e.message}`)
        )
      )) as ReadonlyArray<BuildInfo>
      if (builds.length === 0) return yield* error(`${options.latestfrom.value} has no builds of ${ref}`)
      info = builds[0]!
    } else if (options.rpm) {
      const rpm = (yield* session.call("getRPM", { rpminfo: ref })) as RpmInfo | null
      if (rpm === null) return yield* error(`No such rpm: ${ref}`)
      given = rpm
      info = yield* getBuild(rpm.build_id!)
    } else {
      // an rpm's N-V-R.A without --rpm: its build
      if (typeof ref === "string" && /^.+-[^-]+-[^-]+\.[^.]+$/.test(ref)) {
        const rpm = (yield* Effect.either(session.call("getRPM", { rpminfo: ref }))).pipe((e) =>
          e._tag === "Right" ? e.right as RpmInfo | null : null
        )
        if (rpm !== null && rpm.build_id !== null) ref = rpm.build_id
      }
      info = yield* getBuild(ref)
    }
    if (info === null) return yield* error(`No such build: ${ref}`)
    const topurl = Option.getOrElse(options.topurl, () => topurlOf(session.settings)).replace(/\/+$/, "")
    const rpms: Array<RpmInfo> = []
    let archives: ReadonlyArray<{ filename: string; btype: string; size: number }> = []
    if (Option.isSome(options.type)) {
      const listed = session.methods.has("listArchives")
        ? (yield* session.call("listArchives", { buildID: info.id, type: options.type.value })) as typeof archives
        : []
      if (listed.length === 0) return yield* error(`No ${options.type.value} archives available for ${buildLabel(info)}`)
      archives = listed
    } else {
      const arches = options.arch.length === 0 ? null : options.arch
      const all: ReadonlyArray<RpmInfo> = given !== undefined
        ? [given]
        : yield* session.call("listRPMs", { buildID: info.id, ...(arches === null ? {} : { arches }) })
      if (all.length === 0) {
        return yield* error(
          arches ? `No ${arches.join(" or ")} packages available for ${buildLabel(info)}` : `No packages available for ${buildLabel(info)}`
        )
      }
      for (const rpm of all) if (options.debuginfo || !isDebuginfo(rpm.name)) rpms.push(rpm)
    }
    const key = Option.getOrNull(options.key)
    const unsigned: Array<RpmInfo> = []
    if (key !== null) {
      for (const rpm of [...rpms]) {
        const sigs = (yield* session.call("queryRPMSigs", { rpm_id: rpm.id, sigkey: key })) as ReadonlyArray<unknown>
        if (sigs.length === 0) {
          yield* warn(`No such sigkey ${key} for rpm ${Format.repr(rpm.name).slice(1, -1)}-${rpm.version}-${rpm.release}-${rpm.arch}.rpm`)
          rpms.splice(rpms.indexOf(rpm), 1)
          if (options.fallbackUnsigned) unsigned.push(rpm)
        }
      }
    }
    const size = rpms.length + unsigned.length + archives.length
    let number = 0
    const common = { quiet, noprogress: options.noprogress, size }
    for (const rpm of rpms) {
      number += 1
      yield* downloadRpm(info, rpm, topurl, { ...common, num: number, sigkey: key })
    }
    for (const rpm of unsigned) {
      number += 1
      yield* downloadRpm(info, rpm, topurl, { ...common, num: number, sigkey: null })
    }
    for (const archive of archives) {
      number += 1
      const dir = archive.btype === "image" ? "images" : archive.btype
      yield* downloadFile(`${buildDir(topurl, info)}/${dir}/${archive.filename}`, archive.filename, {
        ...common,
        num: number,
        filesize: archive.size
      })
      if ((fileSize(archive.filename) ?? -1) !== archive.size) {
        Fs.rmSync(archive.filename, { force: true })
        return yield* error(`Downloaded rpm ${archive.filename} size does not match db size, deleting`)
      }
    }
  }))

// ---------------------------------------------------------------------------------------------
// download-task

const rpmFileTypes = ["rpm", "src.rpm"]
const buildMethods = ["buildArch", "build"]

/**
 * `download-task`.
 *
 * @since 0.1.0
 * @category commands
 */
export const downloadTask = Handler.make("download-task", {
  category: "download",
  summary: "Download the output of a build task",
  usage: "download-task <task_id>",
  description: "Default behavior without --all option downloads .rpm files only for build and buildArch tasks.",
  anonymous: true
}, {
  arch: Options.text("arch").pipe(
    Options.withPseudoName("ARCH"),
    Options.repeated,
    Options.withDescription("Only download packages for this arch (may be used multiple times), only for build and buildArch task methods")
  ),
  logs: flag("logs", "Also download build logs"),
  topurl: Options.text("topurl").pipe(
    Options.withPseudoName("URL"),
    Options.optional,
    Options.withDescription("URL under which Koji files are accessible")
  ),
  noprogress: flag("noprogress", "Do not display progress meter"),
  wait: flag("wait", "Wait for running tasks to finish, even if running in the background"),
  nowait: flag("nowait", "Do not wait for running tasks to finish"),
  quiet: Options.boolean("quiet").pipe(Options.withAlias("q"), Options.withDescription("Suppress output")),
  all: flag("all", "Download all files, all methods instead of build and buildArch"),
  dirpertask: flag("dirpertask", "Download files to dir per task"),
  parentonly: flag("parentonly", "Download parent's files only"),
  filter: Options.text("filter").pipe(Options.repeated, Options.withDescription("Regex pattern to filter files")),
  skip: Options.text("skip").pipe(Options.repeated, Options.withDescription("Regex pattern to skip files")),
  ids: Args.text({ name: "task_id" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.ids.length === 0) return yield* usageError("Please specify a task ID")
    if (options.ids.length > 1) return yield* usageError("Only one task ID may be specified")
    if (!/^\s*[-+]?\d+\s*$/.test(options.ids[0]!)) {
      return yield* error(errorLine("ValueError", `invalid literal for int() with base 10: ${Format.repr(options.ids[0])}`))
    }
    const baseId = Number.parseInt(options.ids[0]!, 10)
    const arches = options.arch.join(",").split(",").filter((a) => a !== "")
    if (options.filter.length > 0 && options.skip.length > 0) return yield* usageError("Only filter or skip may be specified. Not both.")
    const quiet = options.quiet || session.settings.quiet
    yield* session.ensureConnection
    let base = (yield* session.call("getTaskInfo", { task_id: baseId })) as TaskInfo | null
    if (base === null) return yield* error(`No such task: ${baseId}`)
    const wait = options.wait ? true : options.nowait ? false : !inBackground(session)
    if (wait && ![TaskState.CLOSED, TaskState.CANCELED, TaskState.FAILED].includes(base.state as never)) {
      yield* watchTasks([baseId], { quiet, topurl: session.settings.topurl, pollInterval: session.settings.poll_interval })
      base = (yield* session.call("getTaskInfo", { task_id: baseId })) as TaskInfo
    }
    const tasks: Array<TaskInfo> = [base]
    if (!options.parentonly) tasks.push(...(yield* session.call("getTaskChildren", { task_id: baseId })) as ReadonlyArray<TaskInfo>)
    tasks.sort((a, b) => a.id - b.id)
    for (const task of tasks) {
      if (task.state === TaskState.CLOSED) continue
      const what = task.id === baseId ? "Task" : "Child task"
      if (task.state === TaskState.FAILED) {
        return yield* error(`${what} ${task.id} failed. You can use save-failed-tree plugin for FAILED tasks.`)
      }
      if (task.state === TaskState.CANCELED) return yield* error(`${what} ${task.id} was canceled.`)
      return yield* error(`${what} ${task.id} has not finished yet.`)
    }
    const downloads: Array<{ task: TaskInfo; filename: string; volume: string; target: string }> = []
    for (const task of tasks) {
      const arch = task.arch
      const taskId = String(task.id)
      const files = yield* listTaskOutput(session, task.id)
      for (const filename of Object.keys(files)) {
        if (options.filter.length > 0 && !options.filter.every((p) => new RegExp(p).test(filename))) continue
        if (options.skip.length > 0 && options.skip.some((p) => new RegExp(p).test(filename))) continue
        const dot = filename.lastIndexOf(".")
        const filetype = filename.endsWith("src.rpm") ? "src.rpm" : dot === -1 ? "" : filename.slice(dot + 1)
        const volumes = files[filename]!
        const add = (target: string) => {
          for (const volume of volumes) downloads.push({ task, filename, volume, target })
        }
        if (options.all && !(buildMethods.includes(task.method) && rpmFileTypes.includes(filetype))) {
          if (filetype !== "log") {
            if (options.dirpertask) add(`${taskId}/${filename}`)
            else if (!filename.includes(arch) && filetype !== "src.rpm") {
              add(`${filename.slice(0, filename.length - filetype.length - 1)}.${arch}.${filetype}`)
            } else add(filename)
          }
        } else if (buildMethods.includes(task.method) && rpmFileTypes.includes(filetype)) {
          const parts = filename.split(".")
          const filearch = parts[parts.length - 2]!
          if (arches.length === 0 || arches.includes(filearch)) add(options.dirpertask ? `${taskId}/${filename}` : filename)
        }
        if (filetype === "log" && options.logs) {
          if (options.dirpertask) add(`${taskId}/${filename}`)
          else if (!filename.includes(arch)) add(`${filename.slice(0, -".log".length)}.${arch}.log`)
          else add(filename)
        }
      }
    }
    if (downloads.length === 0) return yield* print("No files for download found.")
    const topurl = Option.getOrElse(options.topurl, () => topurlOf(session.settings)).replace(/\/+$/, "")
    const done = new Set<string>()
    let number = 0
    let duplicates = false
    for (const d of downloads) {
      const taskId = String(d.task.id)
      let target = d.target
      if (options.dirpertask) Fs.mkdirSync(taskId, { recursive: true })
      number += 1
      if (d.volume !== "DEFAULT") {
        if (options.dirpertask) {
          Fs.mkdirSync(`${taskId}/${d.volume}`, { recursive: true })
          target = Path.join(taskId, d.volume, d.filename)
        } else {
          Fs.mkdirSync(d.volume, { recursive: true })
          target = Path.join(d.volume, target)
        }
      }
      if (d.filename.includes("..")) return yield* error(`Invalid file name: ${d.filename}`)
      const key = `${target}\u0000${d.volume}`
      if (!done.has(key)) {
        yield* downloadFile(`${taskDir(topurl, d.task.id, d.volume)}/${d.filename}`, target, {
          quiet,
          noprogress: options.noprogress,
          size: downloads.length,
          num: number
        })
        done.add(key)
      } else {
        if (!quiet) {
          yield* print(`Downloading [${number}/${downloads.length}]: ${target}`)
          yield* print(`File ${target} already downloaded, skipping`)
        }
        duplicates = true
      }
    }
    if (duplicates) yield* warn("Duplicate files, for download all duplicate files use --dirpertask.")
  }))

// ---------------------------------------------------------------------------------------------
// download-logs

/**
 * Python's `fnmatch.fnmatch` (case-sensitive, as on POSIX): the policy engine's.
 *
 * @since 0.1.0
 * @category combinators
 */
export const fnmatch: (name: string, pattern: string) => boolean = PolicyFnmatch

const multiFnmatch = (name: string, patterns: ReadonlyArray<string>) => patterns.some((p) => fnmatch(name, p))

/**
 * `downloadTaskOutput`'s answer as bytes (base64 on the wire, bytes in process).
 *
 * @since 0.1.0
 * @category combinators
 */
export const outputBytes = (value: unknown): Uint8Array =>
  value instanceof Uint8Array ? value : typeof value === "string" ? Buffer.from(value, "base64") : new Uint8Array(0)

const FAIL_LOG = "task_failed.log"

/**
 * `download-logs`.
 *
 * @since 0.1.0
 * @category commands
 */
export const downloadLogs = Handler.make("download-logs", {
  category: "download",
  summary: "Download logs for task",
  usage: "download-logs [options] <task_id> [<task_id> ...]\n       koji-ts download-logs [options] --nvr <n-v-r> [<n-v-r> ...]",
  description: "Note this command only downloads task logs, not build logs.",
  anonymous: true
}, {
  recurse: Options.boolean("recurse").pipe(Options.withAlias("r"), Options.withDescription("Process children of this task as well")),
  nvr: flag("nvr", "Get the logs for the task associated with this build Name-Version-Release."),
  match: Options.text("match").pipe(
    Options.withAlias("m"),
    Options.withPseudoName("PATTERN"),
    Options.repeated,
    Options.withDescription("Get only log filenames matching PATTERN (fnmatch). May be used multiple times.")
  ),
  cont: Options.boolean("continue").pipe(Options.withAlias("c"), Options.withDescription("Continue previous download")),
  dir: Options.text("dir").pipe(
    Options.withAlias("d"),
    Options.withPseudoName("DIRECTORY"),
    Options.withDefault("kojilogs"),
    Options.withDescription("Write logs to DIRECTORY")
  ),
  args: Args.text({ name: "task_id" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (options.args.length < 1) return yield* usageError("Please specify at least one task id or n-v-r")
    const match = options.match

    const writeFailLog = (dir: string, taskId: number) =>
      Effect.gen(function*() {
        const result = yield* Effect.either(session.call("getTaskResult", { taskId }))
        const content = result._tag === "Right"
          ? Format.pformat(result.right)
          : `koji.${result.left._tag === "Fault" ? "Fault" : result.left._tag}: ${result.left.message}\n`
        const full = Path.normalize(Path.join(dir, FAIL_LOG))
        Fs.mkdirSync(Path.dirname(full), { recursive: true })
        yield* print(`Writing: ${full}`)
        Fs.writeFileSync(full, content)
      })

    const downloadLog = (dir: string, taskId: number, filename: string, volume: string) =>
      Effect.gen(function*() {
        const full = Path.normalize(volume !== "DEFAULT" ? Path.join(dir, volume, filename) : Path.join(dir, filename))
        Fs.mkdirSync(Path.dirname(full), { recursive: true })
        let offset = 0
        if (options.cont && fileSize(full) !== undefined) {
          yield* print(`Continuing: ${full}`)
          offset = fileSize(full)!
        } else {
          yield* print(`Downloading: ${full}`)
          Fs.writeFileSync(full, new Uint8Array(0))
        }
        while (true) {
          const contents = outputBytes(
            yield* session.call("downloadTaskOutput", {
              taskID: taskId,
              fileName: filename,
              offset,
              size: 102400,
              ...(volume !== "DEFAULT" ? { volume } : {})
            })
          )
          if (contents.length === 0) break
          Fs.appendFileSync(full, contents)
          offset += contents.length
        }
      })

    const saveLogs = (taskId: number, parent: string, recurse: boolean): Effect.Effect<void, CliError> =>
      Effect.gen(function*() {
        const info = (yield* session.call("getTaskInfo", { task_id: taskId })) as TaskInfo | null
        if (info === null) return yield* error(`No such task: ${taskId}`)
        const files = yield* listTaskOutput(session, taskId)
        const logs: Array<[string, string]> = []
        for (const filename of Object.keys(files)) {
          if (!filename.endsWith(".log")) continue
          if (match.length > 0 && !multiFnmatch(filename, match)) continue
          for (const volume of files[filename]!) logs.push([filename, volume])
        }
        const dir = Path.join(parent, `${info.arch}-${taskId}`)
        let count = 0
        if (info.state === TaskState.FAILED) {
          if (match.length === 0 || multiFnmatch(FAIL_LOG, match)) {
            yield* writeFailLog(dir, taskId)
            count += 1
          }
        } else if (info.state !== TaskState.CLOSED && info.state !== TaskState.CANCELED) {
          yield* warn(`Task ${taskId} is ${TaskState.name(info.state)}\n`)
        }
        for (const [filename, volume] of logs) {
          yield* downloadLog(dir, taskId, filename, volume)
          count += 1
        }
        if (count === 0 && !recurse) yield* warn(`No logs found for task ${taskId}. Perhaps try --recurse?\n`)
        if (recurse) {
          const children = (yield* session.call("getTaskChildren", { task_id: taskId })) as ReadonlyArray<TaskInfo>
          for (const child of children) yield* saveLogs(child.id, dir, recurse)
        }
      })

    yield* session.ensureConnection
    for (const arg of options.args) {
      let taskId: number | undefined
      let buildId: number | undefined
      let recurse = options.recurse
      if (options.nvr) {
        recurse = true
        const info = yield* getBuild(arg)
        if (info === null) return yield* error(`There is no build with n-v-r: ${arg}`)
        const state = ["BUILDING", "COMPLETE", "DELETED", "FAILED", "CANCELED"][info.state] ?? String(info.state)
        if (state === "COMPLETE") {
          buildId = info.build_id
          yield* print(`Using build ID: ${buildId}`)
        } else if (info.task_id) {
          taskId = info.task_id
          yield* print(`Build ${arg} is ${state}`)
          yield* print(`Using task ID: ${taskId}`)
        } else {
          yield* print(`Unable to download build ${arg} (state=${state})`)
        }
      } else {
        if (!/^\s*[-+]?\d+\s*$/.test(arg)) return yield* error(`Task id must be a number: ${Format.repr(arg)}`)
        taskId = Number.parseInt(arg, 10)
      }
      if (taskId) {
        yield* saveLogs(taskId, options.dir, recurse)
      } else if (buildId) {
        const logs = (yield* session.call("getBuildLogs", { build: buildId })) as ReadonlyArray<{ name: string; path: string }>
        const topurl = topurlOf(session.settings)
        for (const log of logs) {
          const filepath = Path.join(process.cwd(), options.dir, arg, log.name)
          if (!filepath.endsWith(".log")) continue
          if (match.length > 0 && !multiFnmatch(log.name, match)) continue
          yield* downloadFile(`${topurl}/${log.path.replace(/^\/+/, "")}`, filepath)
        }
      }
    }
  }))

// ---------------------------------------------------------------------------------------------
// watch-logs

/**
 * `watch-logs`.
 *
 * @since 0.1.0
 * @category commands
 */
export const watchLogs = Handler.make("watch-logs", {
  category: "monitor",
  summary: "Watch logs in realtime",
  usage: "watch-logs [options] <task id> [<task id> ...]",
  anonymous: true
}, {
  log: Options.text("log").pipe(Options.optional, Options.withDescription("Watch only a specific log")),
  mine: flag("mine", "Watch logs for all your tasks, task_id arguments are forbidden in this case."),
  follow: Options.boolean("follow").pipe(Options.withAlias("f"), Options.withDescription("Follow spawned child tasks")),
  ids: Args.text({ name: "task id" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    let tasks: Array<number> = []
    if (options.mine) {
      yield* session.activate
      if (options.ids.length > 0) return yield* usageError("Selection options cannot be combined with a task list")
      const none = Option.none<string>()
      const listed = yield* listTasks({ mine: true, user: none, arch: none, method: none, channel: none, host: none })
      tasks = listed.list.map((t) => t.id)
      if (tasks.length === 0) return yield* print("You've no active tasks.")
    } else {
      yield* session.ensureConnection
      for (const arg of options.ids) {
        if (!/^\s*[-+]?\d+\s*$/.test(arg)) return yield* usageError("task id must be an integer")
        tasks.push(Number.parseInt(arg, 10))
      }
    }
    if (tasks.length === 0) return yield* usageError("at least one task id must be specified")
    yield* watchTaskLogs(tasks, {
      log: Option.getOrUndefined(options.log),
      follow: options.follow,
      pollInterval: session.settings.poll_interval
    })
  }))

/**
 * Koji's `watch_logs(session, tasklist, opts, poll_interval)`: print each task's logs as they
 * grow (`==> <task>:<volume>:<log>: <==` before each change of log), until the tasks (and
 * with `follow` their children) are done. Reads again as soon as the event stream reports
 * output or a state change of a watched task, else every `pollInterval` seconds.
 *
 * @since 0.1.0
 * @category combinators
 */
export const watchTaskLogs = (
  tasklist: ReadonlyArray<number>,
  options: { readonly log?: string | undefined; readonly follow: boolean; readonly pollInterval: number }
): Effect.Effect<void, CliError, Session> =>
  Effect.scoped(Effect.gen(function*() {
    const session = yield* Session
    yield* print("Watching logs (this may be safely interrupted)...")
    const list = [...tasklist]
    const watched = new Set(list)
    const wake = yield* Queue.sliding<void>(1)
    // the event stream, when the hub has one: each output or state change of a watched task wakes the loop
    yield* Effect.gen(function*() {
      const client = yield* sdkClient(session)
      const after = yield* client.events.lastId({})
      yield* client.watch({ after, filter: { kinds: ["task.output", "task.state"] } }).pipe(
        Stream.runForEach((event) =>
          event.task_id !== null && (watched.has(event.task_id) || (options.follow && event.parent_id !== null && watched.has(event.parent_id)))
            ? wake.offer(undefined)
            : Effect.void
        ),
        Effect.ignore,
        Effect.forkScoped
      )
    }).pipe(Effect.ignore)
    const offsets = new Map<number, Map<string, number>>()
    for (const id of list) offsets.set(id, new Map())
    // what is printed: whole lines; the rest of a log's last line waits for its end
    const pending = new Map<string, Uint8Array>()
    let lastlog: string | undefined
    const emit = (current: string, bytes: Uint8Array, flush: boolean) =>
      Effect.gen(function*() {
        const before = pending.get(current)
        const all = before === undefined ? bytes : Buffer.concat([before, bytes])
        const cut = flush ? all.length : all.lastIndexOf(10) + 1
        pending.set(current, all.subarray(cut))
        if (cut === 0) return
        if (current !== lastlog) {
          if (lastlog !== undefined) yield* print("")
          yield* print(`==> ${current} <==`)
          lastlog = current
        }
        const text = Buffer.from(all.subarray(0, cut)).toString("utf8")
        yield* print(text.endsWith("\n") ? text.slice(0, -1) : text)
      })
    const isDone = (id: number) =>
      Effect.gen(function*() {
        const info = (yield* session.call("getTaskInfo", { task_id: id })) as TaskInfo | null
        if (info === null) {
          yield* print(`No such task id: ${id}`)
          return yield* error()
        }
        return info.state === TaskState.CLOSED || info.state === TaskState.CANCELED || info.state === TaskState.FAILED
      })
    while (true) {
      for (const id of [...list]) {
        const done = yield* isDone(id)
        if (done) list.splice(list.indexOf(id), 1)
        const output = yield* listTaskOutput(session, id)
        const files: Array<[string, string]> = []
        for (const [name, volumes] of Object.entries(output)) for (const v of volumes) files.push([name, v])
        const logs = files.filter(([name]) => options.log !== undefined ? name === options.log : name.endsWith("log"))
        const taskOffsets = offsets.get(id)!
        for (const [log, volume] of logs) {
          const key = `${log}\u0000${volume}`
          const current = `${id}:${volume}:${log}:`
          while (true) {
            const offset = taskOffsets.get(key) ?? 0
            const contents = outputBytes(
              yield* session.call("downloadTaskOutput", {
                taskID: id,
                fileName: log,
                offset,
                size: 16384,
                ...(volume !== "DEFAULT" ? { volume } : {})
              })
            )
            taskOffsets.set(key, offset + contents.length)
            if (contents.length === 0) break
            yield* emit(current, contents, false)
          }
          if (done) yield* emit(current, new Uint8Array(0), true)
        }
        if (options.follow) {
          const children = (yield* session.call("getTaskChildren", { task_id: id })) as ReadonlyArray<TaskInfo>
          for (const child of children) {
            if (!list.includes(child.id) && !watched.has(child.id)) {
              list.push(child.id)
              watched.add(child.id)
              offsets.set(child.id, new Map())
            }
          }
        }
      }
      if (list.length === 0) break
      yield* Effect.race(wake.take, Effect.sleep(`${Math.max(0.05, options.pollInterval)} seconds`))
    }
  }))

/**
 * The download and log commands.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands: ReadonlyArray<Handler.Spec> = [downloadBuild, downloadTask, downloadLogs, watchLogs]
