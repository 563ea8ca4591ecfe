/**
 * Tagging commands, printed as Koji's CLI prints them: `latest-build`,
 * `list-tagged`, `tag-build`, `move-build`, `untag-build`.
 *
 * @since 0.1.0
 */
import { Args, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import * as Nvr from "../../hub/Nvr.js"
import * as Format from "../Format.js"
import * as Handler from "../Handler.js"
import { error, print, Session, usageError, warn } from "../Session.js"
import { buildLabel } from "../TaskLabel.js"
import { watchTasks } from "../TaskWatcher.js"
import {
  asctimeLocal,
  type BuildInfo,
  buildDir,
  byString,
  getBuild,
  header3,
  json,
  quietOption,
  type RpmInfo,
  rpmPath,
  table3,
  text
} from "./BuildFormat.js"

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

// Koji's _running_in_bg: without a terminal the CLI does not wait on tasks unless asked
const shouldWait = (wait: boolean, nowait: boolean) =>
  Effect.map(Session, (session) => nowait ? false : wait || session.environment.isTTY)

/**
 * `tag-build`.
 *
 * @since 0.1.0
 * @category commands
 */
export const tagBuild = Handler.make("tag-build", {
  category: "bind",
  summary: "Apply a tag to one or more builds",
  usage: "tag-build [options] <tag> <pkg> [<pkg> ...]"
}, {
  force: Options.boolean("force").pipe(Options.withDescription("force operation")),
  wait: Options.boolean("wait").pipe(Options.withDescription("Wait on task, even if running in the background")),
  nowait: Options.boolean("nowait").pipe(Options.withDescription("Do not wait on task")),
  args: Args.text({ name: "arg" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    if (options.args.length < 2) {
      return yield* usageError("This command takes at least two arguments: a tag name/ID and one or more package n-v-r's")
    }
    const session = yield* Session
    yield* session.activate
    const [tag, ...builds] = options.args as [string, ...Array<string>]
    const tasks: Array<number> = []
    for (const build of builds) {
      const id: number = yield* session.call("tagBuild", { tag, build, force: options.force })
      tasks.push(id)
      yield* print(`Created task ${id}`)
    }
    yield* waitOn(tasks, options.wait, options.nowait)
  }))

// Koji's habit after making tasks: watch them unless told not to (or running in the background)
const waitOn = (tasks: ReadonlyArray<number>, wait: boolean, nowait: boolean) =>
  Effect.gen(function*() {
    if (!(yield* shouldWait(wait, nowait))) return
    const session = yield* Session
    yield* session.logout
    const code = yield* watchTasks(tasks, {
      quiet: session.settings.quiet,
      topurl: session.settings.topurl,
      pollInterval: session.settings.poll_interval
    })
    if (code !== 0) return yield* error(undefined, code)
  })

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
    yield* waitOn(tasks, options.wait, options.nowait)
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
