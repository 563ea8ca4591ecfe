/**
 * Build and RPM commands, printed as Koji's CLI prints them: `buildinfo`,
 * `list-builds`, `rpminfo`, `search`; and the list of every build, RPM and
 * tagging command (Tagging.ts, History.ts).
 *
 * @since 0.1.0
 */
import { Args, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { BuildState } from "../../domain/Enums.js"
import * as Nvr from "../../hub/Nvr.js"
import * as Format from "../Format.js"
import * as Handler from "../Handler.js"
import { error, print, Session, usageError, warn } from "../Session.js"
import { taskLabel } from "../TaskLabel.js"
import {
  type BuildInfo,
  buildDir,
  byString,
  getBuild,
  json,
  quietOption,
  type RpmInfo,
  rpmPath,
  text,
  timeOption
} from "./BuildFormat.js"
import * as History from "./History.js"
import * as Tagging from "./Tagging.js"

/**
 * `buildinfo`.
 *
 * @since 0.1.0
 * @category commands
 */
export const buildinfo = Handler.make("buildinfo", {
  category: "info",
  summary: "Print basic information about a build",
  usage: "buildinfo [options] <n-v-r> [<n-v-r> ...]",
  anonymous: true
}, {
  changelog: Options.boolean("changelog").pipe(Options.withDescription("Show the changelog for the build")),
  json,
  builds: Args.text({ name: "n-v-r" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    if (options.builds.length < 1) return yield* usageError("Please specify a build")
    const session = yield* Session
    yield* session.ensureConnection
    const topdir = session.settings.topdir
    let missing = false
    const found: Array<unknown> = []
    for (const arg of options.builds) {
      const ref = /^\d+$/.test(arg) ? Number(arg) : arg
      const info = yield* getBuild(ref)
      if (info === null) {
        yield* warn(`No such build: ${ref}\n`)
        missing = true
        continue
      }
      const task = info.task_id ? yield* session.call("getTaskInfo", { task_id: info.task_id, request: true }) : null
      const tags: ReadonlyArray<{ readonly name: string }> = yield* session.call("listTags", { build: info.id })
      const rpms: ReadonlyArray<RpmInfo> = yield* session.call("listRPMs", { buildID: info.id })
      if (options.json) {
        found.push({ ...info, tags: tags.map((t) => t.name), rpms })
        continue
      }
      const state = BuildState.name(info.state) ?? String(info.state)
      yield* print(`BUILD: ${info.name}-${info.version}-${info.release} [${info.id}]`)
      if (info.draft) yield* print("Draft: YES")
      yield* print(`State: ${state}`)
      if (state === "BUILDING") yield* print(`Reserved by: ${info.cg_name ?? "None"}`)
      yield* print(`Built by: ${info.owner_name}`)
      if (info.source !== null) yield* print(`Source: ${info.source}`)
      yield* print(`Volume: ${info.volume_name}`)
      yield* print(task ? `Task: ${task.id} ${taskLabel(task)}` : "Task: none")
      yield* print(`Finished: ${Format.formatTimeLong(info.completion_ts ?? null)}`)
      if (info.promotion_ts) {
        yield* print(`Promoted by: ${info.promoter_name}`)
        yield* print(`Promoted at: ${Format.formatTimeLong(info.promotion_ts)}`)
      }
      yield* print(`Tags: ${tags.map((t) => t.name).join(" ")}`)
      if (info.extra && Object.keys(info.extra).length > 0) yield* print(`Extra: ${Format.repr(info.extra)}`)
      if (rpms.length > 0) {
        const sigs = yield* session.canCall("queryRPMSigs")
        yield* print("RPMs:")
        for (const rpm of rpms) {
          let line = `${buildDir(topdir, info)}/${rpmPath(rpm)}`
          if (sigs) {
            const rows: ReadonlyArray<{ readonly sigkey: string }> = yield* session.call("queryRPMSigs", { rpm_id: rpm.id })
            const keys = rows.map((r) => r.sigkey).filter((k) => k).sort(byString)
            if (keys.length > 0) line += `\tSignatures: ${keys.join(", ")}`
          }
          yield* print(line)
        }
      }
    }
    if (options.json) yield* print(Format.jsonDumps(found))
    if (missing) return yield* error()
  }))

/**
 * `list-builds`.
 *
 * @since 0.1.0
 * @category commands
 */
export const listBuilds = Handler.make("list-builds", {
  category: "info",
  summary: "Print the build listing",
  usage: "list-builds [options]",
  anonymous: true
}, {
  package: text("package", "List builds for this package"),
  buildid: text("buildid", "List specific build from ID or nvr"),
  before: text("before", "List builds built before this time"),
  after: text("after", "List builds built after this time (same format as for --before"),
  state: text("state", "List builds in this state"),
  task: text("task", "List builds for this task"),
  type: text("type", "List builds of this type."),
  prefix: text("prefix", "Only builds starting with this prefix"),
  pattern: text("pattern", "Only list builds matching this GLOB pattern"),
  cg: text("cg", "Only list builds imported by matching content generator name"),
  source: text("source", "Only builds where the source field matches (glob pattern)"),
  owner: text("owner", "List builds built by this owner"),
  volume: text("volume", "List builds by volume ID"),
  draftOnly: Options.boolean("draft-only").pipe(Options.withDescription("Only list draft builds")),
  noDraft: Options.boolean("no-draft").pipe(Options.withDescription("Only list regular builds")),
  sortKey: Options.text("sort-key").pipe(
    Options.withAlias("k"),
    Options.repeated,
    Options.withDescription("Sort the list by the named field. Allowed sort keys: build_id, owner_name, state")
  ),
  reverse: Options.boolean("reverse").pipe(Options.withAlias("r"), Options.withDescription("Print the list in reverse order")),
  quiet: quietOption,
  json
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    const quiet = options.quiet || session.settings.quiet
    yield* session.ensureConnection
    const opts: Record<string, unknown> = {}
    for (const key of ["type", "prefix", "pattern"] as const) {
      if (Option.isSome(options[key])) opts[key] = options[key].value
    }
    if (options.noDraft && options.draftOnly) return yield* usageError("--draft-only conflits with --no-draft")
    if (options.noDraft) opts["draft"] = false
    else if (options.draftOnly) opts["draft"] = true
    if (Option.isSome(options.cg)) opts["cgID"] = options.cg.value
    if (Option.isSome(options.package)) {
      const value = options.package.value
      if (/^-?\d+$/.test(value)) opts["packageID"] = Number(value)
      else {
        const id = yield* session.call("getPackageID", { name: value })
        if (id === null) return yield* usageError(`No such package: ${value}`)
        opts["packageID"] = id
      }
    }
    if (Option.isSome(options.owner)) {
      const value = options.owner.value
      if (/^-?\d+$/.test(value)) opts["userID"] = Number(value)
      else {
        const user = yield* session.call("getUser", { userInfo: value })
        if (user === null) return yield* usageError(`No such user: ${value}`)
        opts["userID"] = user.id
      }
    }
    if (Option.isSome(options.volume)) {
      const value = options.volume.value
      if (/^-?\d+$/.test(value)) opts["volumeID"] = Number(value)
      else if (value === "DEFAULT") opts["volumeID"] = 0
      else return yield* usageError(`No such volume: ${value}`)
    }
    if (Option.isSome(options.state)) {
      const value = options.state.value
      const state = /^-?\d+$/.test(value) ? Number(value) : BuildState.value(value)
      if (state === undefined || state > 4 || state < 0) return yield* usageError(`Invalid state: ${value}`)
      opts["state"] = state
    }
    const before = yield* timeOption("before", options.before)
    if (before) opts["completeBefore"] = before
    const after = yield* timeOption("after", options.after)
    if (after) opts["completeAfter"] = after
    if (Option.isSome(options.task)) {
      if (!/^-?\d+$/.test(options.task.value)) return yield* usageError("Task id must be an integer")
      opts["taskID"] = Number(options.task.value)
    }
    if (Option.isSome(options.source)) opts["source"] = options.source.value
    let data: Array<BuildInfo>
    if (Option.isSome(options.buildid)) {
      const ref = /^-?\d+$/.test(options.buildid.value) ? Number(options.buildid.value) : options.buildid.value
      const build = yield* getBuild(ref)
      if (build === null) return yield* usageError(`No such build: '${ref}'`)
      data = [build]
    } else if (Object.keys(opts).length > 0) {
      data = [...(yield* session.call("listBuilds", opts)) as ReadonlyArray<BuildInfo>]
    } else {
      return yield* usageError("Filter must be provided for list")
    }
    const keys = options.sortKey.length === 0 ? ["build_id"] : options.sortKey
    for (const key of keys) {
      if (!["build_id", "owner_name", "state"].includes(key)) yield* warn(`Invalid sort_key: ${key}.`)
    }
    const field = (b: BuildInfo, key: string) => (b as unknown as Record<string, unknown>)[key]
    data.sort((a, b) => {
      for (const key of keys) {
        const x = field(a, key) as any
        const y = field(b, key) as any
        if (x !== y) return x === undefined ? -1 : y === undefined ? 1 : x < y ? -1 : 1
      }
      return 0
    })
    if (options.reverse) data.reverse()
    if (options.json) return yield* print(Format.jsonDumps(data))
    if (!quiet) {
      yield* print(`${Format.ljust("Build", 55)}  ${Format.ljust("Built by", 16)}  State`)
      yield* print(`${"-".repeat(55)}  ${"-".repeat(16)}  ${"-".repeat(16)}`)
    }
    for (const build of data) {
      yield* print(`${Format.ljust(build.nvr, 55)}  ${Format.ljust(build.owner_name, 16)}  ${BuildState.name(build.state)}`)
    }
  }))

/**
 * `rpminfo`.
 *
 * @since 0.1.0
 * @category commands
 */
export const rpminfo = Handler.make("rpminfo", {
  category: "info",
  summary: "Print basic information about an RPM",
  usage: "rpminfo [options] <n-v-r.a|id> [<n-v-r.a|id> ...]",
  anonymous: true
}, {
  buildroots: Options.boolean("buildroots").pipe(Options.withDescription("show buildroots the rpm was used in")),
  json,
  rpms: Args.text({ name: "n-v-r.a|id" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    if (options.rpms.length < 1) return yield* usageError("Please specify an RPM")
    const session = yield* Session
    yield* session.ensureConnection
    const topdir = session.settings.topdir
    const epochText = (epoch: number | null) => (epoch === null ? "" : `${epoch}:`)
    let missing = false
    const found: Array<unknown> = []
    for (const arg of options.rpms) {
      const info: RpmInfo | null = yield* session.call("getRPM", { rpminfo: arg })
      if (info === null) {
        yield* warn(`No such rpm: ${arg}\n`)
        missing = true
        continue
      }
      if (options.json) {
        found.push(info)
        continue
      }
      const external = (info.external_repo_id ?? 0) !== 0
      yield* print(`RPM: ${epochText(info.epoch)}${Nvr.formatNVRA(info)} [${info.id}]`)
      if (info.draft) yield* print("Draft: YES")
      if (external) {
        if (yield* session.canCall("getExternalRepo")) {
          const repo = yield* session.call("getExternalRepo", { info: info.external_repo_id })
          yield* print(`External Repository: ${repo.name} [${repo.id}]`)
          yield* print(`External Repository url: ${repo.url}`)
        }
      } else {
        const build = (yield* getBuild(info.build_id!))!
        let srpm: RpmInfo | undefined = info.arch === "src" ? info : undefined
        if (srpm === undefined) {
          const srpms: ReadonlyArray<RpmInfo> = yield* session.call("listRPMs", { buildID: info.build_id, arches: "src" })
          srpm = srpms[0]
        }
        yield* print(`Build: ${build.nvr} [${build.id}]`)
        yield* print(`RPM Path: ${buildDir(topdir, build)}/${rpmPath(info)}`)
        yield* print(`SRPM: ${srpm ? `${epochText(srpm.epoch)}${Nvr.formatNVR(srpm)} [${srpm.id}]` : "(none)"}`)
        yield* print(`SRPM Path: ${srpm ? `${buildDir(topdir, build)}/${rpmPath(srpm)}` : "(none)"}`)
        yield* print(`Built: ${Format.formatTimeLong(info.buildtime)}`)
      }
      yield* print(`SIGMD5: ${info.payloadhash}`)
      yield* print(`Size: ${info.size}`)
      if (!external) {
        if (yield* session.canCall("getRPMHeaders")) {
          const headers = yield* session.call("getRPMHeaders", { rpmID: info.id, headers: ["license"] })
          if (headers && "license" in headers) yield* print(`License: ${headers.license}`)
        }
        yield* print(`Build ID: ${info.build_id}`)
      }
      if (info.buildroot_id === null) {
        yield* print("No buildroot data available")
      } else if (yield* session.canCall("getBuildroot")) {
        const br = yield* session.call("getBuildroot", { buildrootID: info.buildroot_id })
        if (br.br_type === 0) {
          yield* print(`Buildroot: ${br.id} (tag ${br.tag_name}, arch ${br.arch}, repo ${br.repo_id})`)
          yield* print(`Build Host: ${br.host_name}`)
          yield* print(`Build Task: ${br.task_id}`)
        } else {
          yield* print(`Content generator: ${br.cg_name}`)
          yield* print(`Buildroot: ${br.id}`)
          yield* print(`Build Host OS: ${br.host_os} (${br.host_arch})`)
        }
      }
      if (info.extra && Object.keys(info.extra).length > 0) yield* print(`Extra: ${Format.repr(info.extra)}`)
      if (options.buildroots && (yield* session.canCall("listBuildroots"))) {
        const list: ReadonlyArray<{ id: number; tag_name: string; arch: string; host_name: string }> = yield* session.call(
          "listBuildroots",
          { rpmID: info.id, queryOpts: { order: "buildroot.id" } }
        )
        yield* print(`Used in ${list.length} buildroots:`)
        if (list.length > 0) {
          yield* print(`  ${Format.rjust("id", 8)} ${Format.ljust("build tag", 28)} ${Format.ljust("arch", 8)} ${Format.ljust("build host", 29)}`)
          yield* print(`  ${"-".repeat(8)} ${"-".repeat(28)} ${"-".repeat(8)} ${"-".repeat(29)}`)
        }
        for (const br of list) {
          yield* print(`  ${Format.rjust(String(br.id), 8)} ${Format.ljust(br.tag_name, 28)} ${Format.ljust(br.arch, 8)} ${Format.ljust(br.host_name, 29)}`)
        }
      }
    }
    if (options.json) yield* print(Format.jsonDumps(found))
    if (missing) return yield* error()
  }))

/**
 * Koji's CLI search types.
 *
 * @since 0.1.0
 * @category constants
 */
export const searchTypes = ["package", "build", "tag", "target", "user", "host", "rpm", "maven", "win"] as const

/**
 * `search`.
 *
 * @since 0.1.0
 * @category commands
 */
export const search = Handler.make("search", {
  category: "search",
  summary: "Search the system",
  usage: `search [options] <search_type> <pattern>\nAvailable search types: ${searchTypes.join(", ")}`,
  anonymous: true
}, {
  regex: Options.boolean("regex").pipe(Options.withAlias("r"), Options.withDescription("treat pattern as regex")),
  exact: Options.boolean("exact").pipe(Options.withDescription("exact matches only")),
  args: Args.text({ name: "arg" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    if (options.args.length < 1) return yield* usageError("Please specify search type")
    if (options.args.length < 2) return yield* usageError("Please specify search pattern")
    const [type, pattern] = options.args as [string, string]
    if (!(searchTypes as ReadonlyArray<string>).includes(type)) return yield* usageError(`No such search type: ${type}`)
    const matchType = options.regex ? "regexp" : options.exact ? "exact" : "glob"
    const session = yield* Session
    yield* session.ensureConnection
    const rows: ReadonlyArray<{ readonly name: string }> = yield* session.call("search", { terms: pattern, type, matchType })
    for (const row of rows) yield* print(row.name)
  }))

/**
 * The build, RPM and tagging commands.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands: ReadonlyArray<Handler.Spec> = [
  buildinfo,
  listBuilds,
  Tagging.latestBuild,
  Tagging.listTagged,
  rpminfo,
  search,
  Tagging.tagBuild,
  Tagging.moveBuild,
  Tagging.untagBuild,
  History.listHistory
]
