/**
 * Builds and tagging commands, printed as Koji's CLI prints them: `buildinfo`,
 * `list-builds`, `latest-build`, `list-tagged`, `rpminfo`, `search`,
 * `untag-build`, `move-build` (and `list-history`, in History.ts).
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
import { buildLabel, taskLabel } from "../TaskLabel.js"
import { watchTasks } from "../TaskWatcher.js"
import * as History from "./History.js"

interface BuildInfo {
  readonly id: number
  readonly build_id: number
  readonly name: string
  readonly version: string
  readonly release: string
  readonly epoch: number | null
  readonly nvr: string
  readonly state: number
  readonly draft: boolean
  readonly task_id: number | null
  readonly owner_name: string
  readonly volume_name: string
  readonly source: string | null
  readonly cg_name?: string | null
  readonly completion_ts?: number | null
  readonly promotion_ts?: number | null
  readonly promoter_name?: string | null
  readonly tag_name?: string
  readonly package_name?: string
  readonly extra?: Readonly<Record<string, unknown>> | null
}

interface RpmInfo {
  readonly id: number
  readonly name: string
  readonly version: string
  readonly release: string
  readonly arch: string
  readonly epoch: number | null
  readonly draft: boolean | null
  readonly payloadhash: string
  readonly size: number
  readonly buildtime: number
  readonly build_id: number | null
  readonly buildroot_id: number | null
  readonly external_repo_id?: number
  readonly extra?: Readonly<Record<string, unknown>> | null
  readonly sigkey?: string | null
}

const quietOption = Options.boolean("quiet").pipe(Options.withDescription("Do not print the header information"))
const json = Options.boolean("json").pipe(Options.withDescription("Print the result as JSON"))
const text = (name: string, description: string) =>
  Options.text(name).pipe(Options.optional, Options.withDescription(description))

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Koji's `PathInfo(topdir)`: a build's directory and an RPM's path in it. */
const buildDir = (topdir: string, build: { readonly volume_name?: string | null; readonly name: string; readonly version: string; readonly release: string }) =>
  `${!build.volume_name || build.volume_name === "DEFAULT" ? topdir : `${topdir}/vol/${build.volume_name}`}/packages/${build.name}/${build.version}/${build.release}`
const rpmPath = (rpm: { readonly arch: string; readonly name: string; readonly version: string; readonly release: string }) =>
  `${rpm.arch}/${Nvr.formatNVRA(rpm)}.rpm`

const getBuild = (buildInfo: string | number) =>
  Effect.flatMap(Session, (s) => s.call("getBuild", { buildInfo }) as Effect.Effect<BuildInfo | null>)

const table3 = (rows: ReadonlyArray<BuildInfo>) =>
  rows.map((b) => `${Format.ljust(b.nvr, 40)}  ${Format.ljust(b.tag_name ?? "", 20)}  ${b.owner_name}`)

const header3 = ["Build".padEnd(40) + "  " + "Tag".padEnd(20) + "  Built by", `${"-".repeat(40)}  ${"-".repeat(20)}  ${"-".repeat(16)}`]

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

// Koji's TimeOption: seconds since the epoch, or a date/time (local time unless it says otherwise)
const timeOption = (flag: string, value: Option.Option<string>) =>
  Effect.suspend(() => {
    if (Option.isNone(value)) return Effect.succeed(undefined)
    const raw = value.value.trim()
    if (raw !== "" && !Number.isNaN(Number(raw))) return Effect.succeed(Number(raw))
    const parsed = Date.parse(raw)
    return Number.isNaN(parsed)
      ? usageError(`option --${flag}: invalid time specification: ${Format.repr(value.value)}`)
      : Effect.succeed(parsed / 1000)
  })

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
 * `latest-build`.
 *
 * @since 0.1.0
 * @category commands
 */
export const latestBuild = Handler.make("latest-build", {
  category: "info",
  summary: "Print the latest builds for a tag",
  usage: "latest-build [options] <tag> <package> [<package> ...]",
  anonymous: true
}, {
  arch: text("arch", "List all of the latest packages for this arch"),
  all: Options.boolean("all").pipe(Options.withDescription("List all of the latest packages for this tag")),
  quiet: quietOption,
  paths: Options.boolean("paths").pipe(Options.withDescription("Show the file paths")),
  type: text("type", "Show builds of the given type only."),
  json,
  args: Args.text({ name: "arg" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    let quiet = options.quiet || session.settings.quiet || options.json
    const found: Array<unknown> = []
    if (options.args.length === 0) return yield* usageError("A tag name must be specified")
    yield* session.ensureConnection
    const [tag, ...rest] = options.args
    let packages: Array<string | null> = rest
    if (options.all) {
      if (rest.length > 0) return yield* usageError("A package name may not be combined with --all")
      packages = [null]
    } else if (rest.length < 1) {
      return yield* usageError("A tag name and package name must be specified")
    }
    const topdir = session.settings.topdir
    for (const pkg of packages) {
      let lines: Array<string>
      if (Option.isSome(options.arch)) {
        const [rpms, builds]: [ReadonlyArray<RpmInfo>, ReadonlyArray<BuildInfo>] = yield* session.call("getLatestRPMS", {
          tag,
          package: pkg,
          arch: options.arch.value
        })
        found.push(...rpms)
        const byId = new Map(builds.map((b) => [b.build_id, b]))
        lines = rpms.map((r) => {
          if (!options.paths) return Nvr.formatNVRA(r)
          const build = byId.get(r.build_id!)!
          return `${buildDir(topdir, { ...r, name: build.package_name ?? build.name, volume_name: build.volume_name })}/${rpmPath(r)}`
        })
      } else {
        const data: ReadonlyArray<BuildInfo> = yield* session.call("getLatestBuilds", {
          tag,
          package: pkg,
          ...(Option.isSome(options.type) ? { type: options.type.value } : {})
        })
        found.push(...data)
        lines = options.paths
          ? data.map((b) => `${Format.ljust(buildDir(topdir, b), 40)}  ${Format.ljust(b.tag_name ?? "", 20)}  ${b.owner_name}`)
          : table3(data)
        if (!quiet) {
          for (const line of header3) yield* print(line)
          quiet = true
        }
      }
      if (!options.json) for (const line of lines.sort(byString)) yield* print(line)
    }
    if (options.json) yield* print(Format.jsonDumps(found))
  }))

/**
 * `list-tagged`.
 *
 * @since 0.1.0
 * @category commands
 */
export const listTagged = Handler.make("list-tagged", {
  category: "info",
  summary: "List the builds or rpms in a tag",
  usage: "list-tagged [options] <tag> [<package>]",
  anonymous: true
}, {
  arch: Options.text("arch").pipe(Options.repeated, Options.withDescription("List rpms for this arch")),
  rpms: Options.boolean("rpms").pipe(Options.withDescription("Show rpms instead of builds")),
  inherit: Options.boolean("inherit").pipe(Options.withDescription("Follow inheritance")),
  latest: Options.boolean("latest").pipe(Options.withDescription("Only show the latest builds/rpms")),
  latestN: Options.integer("latest-n").pipe(Options.optional, Options.withDescription("Only show the latest N builds/rpms")),
  quiet: quietOption,
  paths: Options.boolean("paths").pipe(Options.withDescription("Show the file paths")),
  sigs: Options.boolean("sigs").pipe(Options.withDescription("Show signatures")),
  type: text("type", "Show builds of the given type only. Currently supported types: maven, win, image"),
  event: Options.integer("event").pipe(Options.optional, Options.withDescription("query at event")),
  ts: Options.integer("ts").pipe(Options.optional, Options.withDescription("query at last event before timestamp")),
  draftOnly: Options.boolean("draft-only").pipe(Options.withDescription("Only list draft builds/rpms")),
  noDraft: Options.boolean("no-draft").pipe(Options.withDescription("Only list regular builds/rpms")),
  json,
  args: Args.text({ name: "arg" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    const quiet = options.quiet || session.settings.quiet
    if (options.args.length === 0) return yield* usageError("A tag name must be specified")
    if (options.args.length > 2) return yield* usageError("Only one package name may be specified")
    if (options.noDraft && options.draftOnly) return yield* usageError("--draft-only conflicts with --no-draft")
    yield* session.ensureConnection
    const [tag, pkg] = options.args as [string, string | undefined]
    const opts: Record<string, unknown> = { latest: options.latest, inherit: options.inherit }
    if (Option.isSome(options.latestN)) opts["latest"] = options.latestN.value
    if (pkg) opts["package"] = pkg
    let rpms = options.rpms
    if (options.arch.length > 0) {
      rpms = true
      opts["arch"] = options.arch
    }
    if (options.sigs) {
      opts["rpmsigs"] = true
      rpms = true
    }
    if (Option.isSome(options.type)) opts["type"] = options.type.value
    else if (options.noDraft) opts["draft"] = false
    else if (options.draftOnly) opts["draft"] = true
    let event: { id: number; ts: number } | null = null
    if (Option.isSome(options.event)) event = yield* session.call("getEvent", { id: options.event.value })
    else if (Option.isSome(options.ts)) event = yield* session.call("getLastEvent", { before: options.ts.value })
    if (event) {
      opts["event"] = event.id
      if (!quiet) yield* print(`Querying at event ${event.id} (${asctimeLocal(event.ts)})`)
    }
    const taginfo = yield* session.call("getTag", { tagInfo: tag, event: event?.id ?? null })
    if (!taginfo) return yield* usageError(`No such tag: ${tag}`)
    const topdir = session.settings.topdir
    let lines: Array<string>
    if (rpms) {
      const [list, builds]: [ReadonlyArray<RpmInfo>, ReadonlyArray<BuildInfo>] = yield* session.call("listTaggedRPMS", {
        tag,
        ...opts
      })
      if (options.json) return yield* print(Format.jsonDumps(list))
      const byId = new Map(builds.map((b) => [b.id, b]))
      if (options.paths) {
        lines = list.map((r) => {
          const dir = buildDir(topdir, byId.get(r.build_id!)!)
          return options.sigs ? `${dir}/data/signed/${r.sigkey}/${rpmPath(r)}` : `${dir}/${rpmPath(r)}`
        })
      } else {
        lines = list.map((r) => {
          const line = `${Nvr.formatNVRA(r)}${r.draft ? ` (,draft_${r.build_id})` : ""}`
          return options.sigs ? `${r.sigkey ?? "None"} ${line}` : line
        })
      }
    } else {
      const data: ReadonlyArray<BuildInfo> = yield* session.call("listTagged", { tag, ...opts })
      if (options.json) return yield* print(Format.jsonDumps(data))
      lines = options.paths
        ? data.map((b) => `${Format.ljust(buildDir(topdir, b), 40)}  ${Format.ljust(b.tag_name ?? "", 20)}  ${b.owner_name}`)
        : table3(data)
      if (!quiet) for (const line of header3) yield* print(line)
    }
    for (const line of lines.sort(byString)) yield* print(line)
  }))

const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const pad2 = (n: number) => String(n).padStart(2, "0")

/**
 * Python's `time.asctime(time.localtime(ts))` (or in UTC): `Wed Jul  2 16:29:15 2025`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const asctimeLocal = (ts: number, utc = false): string => {
  const d = new Date(ts * 1000)
  const [day, month, date, hours, minutes, seconds, year] = utc
    ? [d.getUTCDay(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCFullYear()]
    : [d.getDay(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getFullYear()]
  return `${days[day]} ${months[month]} ${String(date).padStart(2)} ${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)} ${year}`
}

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

// Koji's _running_in_bg: without a terminal the CLI does not wait on tasks unless asked
const shouldWait = (wait: boolean, nowait: boolean) =>
  Effect.map(Session, (session) => nowait ? false : wait || session.environment.isTTY)

/**
 * `move-build`.
 *
 * @since 0.1.0
 * @category commands
 */
export const moveBuild = Handler.make("move-build", {
  category: "bind",
  summary: "'Move' one or more builds between tags",
  usage: "move-build [options] <tag1> <tag2> <pkg> [<pkg> ...]"
}, {
  force: Options.boolean("force").pipe(Options.withDescription("force operation")),
  wait: Options.boolean("wait").pipe(Options.withDescription("Wait on tasks, even if running in the background")),
  nowait: Options.boolean("nowait").pipe(Options.withDescription("Do not wait on tasks")),
  all: Options.boolean("all").pipe(Options.withDescription("move all instances of a package, <pkg>'s are package names")),
  args: Args.text({ name: "arg" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    if (options.args.length < 3) {
      return yield* usageError(
        options.all
          ? "This command, with --all, takes at least three arguments: two tags and one or more package names"
          : "This command takes at least three arguments: two tags and one or more package n-v-r's"
      )
    }
    const session = yield* Session
    yield* session.activate
    const [tag1, tag2, ...items] = options.args as [string, string, ...Array<string>]
    const tasks: Array<number> = []
    if (options.all) {
      for (const pkg of items) {
        if ((yield* session.call("getPackage", { info: pkg })) === null) {
          yield* print(`No such package: ${pkg}, skipping.`)
          continue
        }
        const list: ReadonlyArray<number> = yield* session.call("moveAllBuilds", {
          tag1,
          tag2,
          package: pkg,
          force: options.force
        })
        tasks.push(...list)
      }
    } else {
      const builds: Array<BuildInfo> = []
      for (const item of items) {
        const build = yield* getBuild(item)
        if (build === null) {
          yield* print(`No such build: ${item}, skipping.`)
          continue
        }
        if (!builds.some((b) => b.id === build.id)) builds.push(build)
      }
      for (const build of builds) {
        const id: number = yield* session.call("moveBuild", { tag1, tag2, build: build.id, force: options.force })
        tasks.push(id)
        yield* print(`Created task ${id}, moving ${buildLabel(build as unknown as Record<string, unknown>)}`)
      }
    }
    if (yield* shouldWait(options.wait, options.nowait)) {
      yield* session.logout
      const code = yield* watchTasks(tasks, {
        quiet: session.settings.quiet,
        topurl: session.settings.topurl,
        pollInterval: session.settings.poll_interval
      })
      if (code !== 0) return yield* error(undefined, code)
    }
  }))

interface HistoryListing {
  readonly name: string
  readonly version: string
  readonly release: string
  readonly create_event: number
}

/**
 * `untag-build`.
 *
 * @since 0.1.0
 * @category commands
 */
export const untagBuild = Handler.make("untag-build", {
  category: "bind",
  summary: "Remove a tag from one or more builds",
  usage: "untag-build [options] <tag> <pkg> [<pkg> ...]"
}, {
  all: Options.boolean("all").pipe(Options.withDescription("untag all versions of the package in this tag, pkg is package name")),
  nonLatest: Options.boolean("non-latest").pipe(
    Options.withDescription("untag all versions of the package in this tag except the latest, pkg is package name")
  ),
  test: Options.boolean("test").pipe(Options.withAlias("n"), Options.withDescription("test mode")),
  verbose: Options.boolean("verbose").pipe(Options.withAlias("v"), Options.withDescription("print details")),
  force: Options.boolean("force").pipe(Options.withDescription("force operation")),
  args: Args.text({ name: "arg" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const args = options.args
    if (options.nonLatest && options.force) {
      if (args.length < 1) return yield* usageError("Please specify a tag")
    } else if (args.length < 2) {
      return yield* usageError(
        "This command takes at least two arguments: a tag name/ID and one or more package n-v-r's or package names"
      )
    }
    const session = yield* Session
    yield* session.activate
    const tag = yield* session.call("getTag", { tagInfo: args[0] })
    if (!tag) return yield* usageError(`No such tag: ${args[0]}`)
    const activeListing = (pkg?: string) =>
      Effect.map(
        session.call("queryHistory", { tag: args[0], active: true, ...(pkg === undefined ? {} : { package: pkg }) }),
        (history) => [...(history["tag_listing"] ?? []) as ReadonlyArray<HistoryListing>]
      )
    const nvrOf = (b: HistoryListing) => `${b.name}-${b.version}-${b.release}`
    let builds: Array<HistoryListing> = []
    if (options.all) {
      for (const pkg of args.slice(1)) builds.push(...yield* activeListing(pkg))
    } else if (options.nonLatest) {
      const tagged: Array<HistoryListing> = []
      if (options.force && args.length === 1) tagged.push(...yield* activeListing())
      else for (const pkg of args.slice(1)) tagged.push(...yield* activeListing(pkg))
      tagged.sort((a, b) => b.create_event - a.create_event)
      const seen = new Set<string>()
      for (const binfo of tagged) {
        if (!seen.has(binfo.name)) {
          if (options.verbose) yield* print(`Leaving latest build for package ${binfo.name}: ${nvrOf(binfo)}`)
        } else {
          builds.push(binfo)
        }
        seen.add(binfo.name)
      }
    } else {
      const names = new Set<string>()
      for (const nvr of args.slice(1)) {
        const parsed = Nvr.parseNVR(nvr)
        if (parsed._tag === "Left") return yield* error(parsed.left.message)
        names.add(parsed.right.name)
      }
      const index = new Map<string, HistoryListing>()
      for (const pkg of names) for (const b of yield* activeListing(pkg)) index.set(nvrOf(b), b)
      for (const nvr of args.slice(1)) {
        const binfo = index.get(nvr)
        if (binfo !== undefined) {
          builds.push(binfo)
          continue
        }
        if ((yield* getBuild(nvr)) === null) yield* warn(`No such build: ${nvr}`)
        else yield* warn(`Build ${nvr} not in tag ${tag.name}`)
        if (!options.force) return yield* error()
      }
    }
    builds = builds.reverse()
    for (const binfo of builds) {
      const nvr = nvrOf(binfo)
      if (options.test) {
        yield* print(`would have untagged ${nvr}`)
        continue
      }
      if (options.verbose) yield* print(`untagging ${nvr}`)
      yield* session.call("untagBuild", { tag: tag.name, build: nvr, force: options.force })
    }
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
  latestBuild,
  listTagged,
  rpminfo,
  search,
  moveBuild,
  untagBuild,
  History.listHistory
]
