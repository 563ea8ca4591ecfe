/**
 * Buildroot commands, printed as Koji's CLI prints them: `list-buildroot` (the RPMs used in or
 * built in a buildroot) and `mock-config` (the mock config of a tag, target, task or buildroot,
 * written by `MockConfig.genMockConfig` as Koji's `genMockConfig` writes it).
 *
 * Until the hub has repos (`getRepo`, `repoInfo`), `mock-config --tag/--target` needs `--latest`,
 * and the tag config is read as it is now.
 *
 * @since 0.1.0
 */
import { Args, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import * as Fs from "node:fs"
import * as MockConfig from "../../buildroot/MockConfig.js"
import * as Handler from "../Handler.js"
import { error, print, Session, usageError, warn } from "../Session.js"
import { byString, text } from "./BuildFormat.js"

const intArg = (value: string): number | undefined => (/^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : undefined)

/**
 * `list-buildroot`.
 *
 * @since 0.1.0
 * @category commands
 */
export const listBuildroot = Handler.make("list-buildroot", {
  category: "info",
  summary: "List the rpms used in or built in a buildroot",
  usage: "list-buildroot [options] <buildroot-id>",
  anonymous: true
}, {
  built: Options.boolean("built").pipe(Options.withDescription("Show the built rpms and archives")),
  verbose: Options.boolean("verbose").pipe(Options.withAlias("v"), Options.withDescription("Show more information")),
  args: Args.text({ name: "buildroot-id" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    if (options.args.length !== 1) return yield* usageError("Incorrect number of arguments")
    const id = intArg(options.args[0]!)
    if (id === undefined) return yield* usageError(`Buildroot id must be an integer: ${options.args[0]}`)
    const session = yield* Session
    yield* session.ensureConnection
    const opts = options.built ? { buildrootID: id } : { componentBuildrootID: id }
    const rpms: ReadonlyArray<{
      readonly nvr: string
      readonly arch: string
      readonly draft?: boolean | null
      readonly build_id?: number | null
      readonly is_update?: boolean
    }> = yield* session.call("listRPMs", opts)
    if (rpms.length > 0) yield* print(options.built ? "Built RPMs:" : "Component RPMs:")
    const lines = rpms.map((r) => ({ nvra: `${r.nvr}.${r.arch}`, r })).sort((a, b) => byString(a.nvra, b.nvra))
    for (const { nvra, r } of lines) {
      let line = nvra
      if (options.verbose) {
        if (r.draft) line += ` (,draft_${r.build_id})`
        if (r.is_update) line += " [update]"
      }
      yield* print(line)
    }
    // archives, where the hub lists them
    if (yield* session.canCall("listArchives")) {
      const archives: ReadonlyArray<{ readonly filename: string }> = yield* session.call("listArchives", opts)
      if (archives.length > 0) {
        if (rpms.length > 0) yield* print("")
        yield* print(options.built ? "Built Archives:" : "Component Archives:")
      }
      for (const name of archives.map((a) => a.filename).sort(byString)) yield* print(name)
    }
  }))

interface BuildrootInfo {
  readonly id: number
  readonly repo_id: number | null
  readonly tag_name: string | null
  readonly arch: string | null
}

/**
 * `mock-config`.
 *
 * @since 0.1.0
 * @category commands
 */
export const mockConfig = Handler.make("mock-config", {
  category: "info",
  summary: "Create a mock config",
  usage: "mock-config [options]",
  anonymous: true
}, {
  arch: text("arch", "Specify the arch").pipe(Options.withAlias("a")),
  name: text("name", "Specify the name for the buildroot").pipe(Options.withAlias("n")),
  tag: text("tag", "Create a mock config for a tag"),
  target: text("target", "Create a mock config for a build target"),
  task: text("task", "Duplicate the mock config of a previous task"),
  latest: Options.boolean("latest").pipe(Options.withDescription("use the latest redirect url")),
  buildroot: text("buildroot", "Duplicate the mock config for the specified buildroot id"),
  mockdir: Options.text("mockdir").pipe(
    Options.withDefault("/var/lib/mock"),
    Options.withDescription("Specify mockdir")
  ),
  topdir: text("topdir", "Specify topdir, topdir tops the topurl"),
  topurl: text("topurl", "URL under which Koji files are accessible, when topdir is specified, topdir tops the topurl"),
  distribution: Options.text("distribution").pipe(
    Options.withDefault("Koji Testing"),
    Options.withDescription("Change the distribution macro")
  ),
  yumProxy: text("yum-proxy", "Specify a yum proxy"),
  ofile: text("o", "Output to a file"),
  args: Args.text({ name: "name" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.ensureConnection
    let name = Option.getOrUndefined(options.name)
    if (options.args.length > 0) {
      // for historical reasons, the buildroot's name may also be the first argument
      if (name !== undefined) return yield* usageError("Name already specified via option")
      name = options.args[0]
    }
    let arch: string | null = null
    const opts: {
      -readonly [K in keyof MockConfig.GenOptions]: MockConfig.GenOptions[K]
    } = { mockdir: options.mockdir, distribution: options.distribution }
    const topdir = Option.getOrUndefined(options.topdir)
    const topurl = Option.getOrUndefined(options.topurl)
    if (topdir !== undefined) opts.topdir = topdir
    else if (topurl !== undefined) opts.topurl = topurl
    else opts.topurl = session.settings.topurl ?? undefined
    const yumProxy = Option.getOrUndefined(options.yumProxy)
    if (yumProxy !== undefined) opts.yum_proxy = yumProxy

    // a repo of the tag (the hub must know repos), or Koji's error
    const repoOf = (tag: number | string, tagName: string) =>
      Effect.gen(function*() {
        const repo: { readonly id: number } | null = (yield* session.canCall("getRepo"))
          ? yield* session.call("getRepo", { tag })
          : null
        if (repo === null) return yield* error(`Could not get a repo for tag: ${tagName}`)
        return repo.id
      })

    if (Option.isSome(options.buildroot)) {
      const brId = intArg(options.buildroot.value)
      if (brId === undefined) return yield* usageError("Buildroot id must be an integer")
      const info: BuildrootInfo | null = yield* session.call("getBuildroot", { buildrootID: brId })
      if (info === null) return yield* error(`No such buildroot: ${brId}`)
      opts.repoid = options.latest ? "latest" : info.repo_id
      opts.tag_name = info.tag_name
      arch = info.arch
    } else if (Option.isSome(options.task)) {
      const taskId = intArg(options.task.value)
      if (taskId === undefined) return yield* usageError("Task id must be an integer")
      const broots: ReadonlyArray<BuildrootInfo> = yield* session.call("listBuildroots", { taskID: taskId })
      if (broots.length === 0) return yield* error(`No buildroots for task ${options.task.value} (or no such task)`)
      if (broots.length > 1) yield* print(`Multiple buildroots found: [${broots.map((b) => b.id).join(", ")}]`)
      const info = broots[broots.length - 1]!
      opts.repoid = options.latest ? "latest" : info.repo_id
      opts.tag_name = info.tag_name
      arch = info.arch
      if (name === undefined) name = `${info.tag_name ?? "None"}-task_${taskId}`
    } else if (Option.isSome(options.tag)) {
      if (Option.isNone(options.arch)) return yield* error("Please specify an arch")
      const tag: { readonly id: number; readonly name: string } | null = yield* session.call("getTag", {
        tagInfo: options.tag.value
      })
      if (tag === null) return yield* usageError(`No such tag: ${options.tag.value}`)
      arch = options.arch.value
      opts.tag_name = tag.name
      opts.repoid = options.latest ? "latest" : yield* repoOf(tag.id, tag.name)
    } else if (Option.isSome(options.target)) {
      if (Option.isNone(options.arch)) return yield* error("Please specify an arch")
      arch = options.arch.value
      const target: { readonly build_tag: number; readonly build_tag_name: string } | null = yield* session.call(
        "getBuildTarget",
        { info: options.target.value }
      )
      if (target === null) return yield* usageError(`No such build target: ${options.target.value}`)
      opts.tag_name = target.build_tag_name
      opts.repoid = options.latest ? "latest" : yield* repoOf(target.build_tag, target.build_tag_name)
    } else {
      return yield* usageError("Please specify one of: --tag, --target, --task, --buildroot")
    }
    if (name === undefined) name = `${opts.tag_name ?? "None"}-repo_${opts.repoid ?? "None"}`

    // the tag's config as of the repo's event, where the hub knows repos
    let event: number | null = null
    if (opts.repoid !== "latest" && opts.repoid !== null && opts.repoid !== undefined &&
      (yield* session.canCall("repoInfo"))) {
      const repo: { readonly create_event: number } | null = yield* session.call("repoInfo", { repo_id: opts.repoid })
      event = repo?.create_event ?? null
    }
    if (opts.tag_name === null || opts.tag_name === undefined) {
      return yield* error("please provide a repo and tag")
    }
    const buildcfg: { readonly arches: string | null; readonly extra: Record<string, unknown> } = yield* session.call(
      "getBuildConfig",
      { tag: opts.tag_name, event }
    )
    if (arch) {
      if (!buildcfg.arches) yield* warn(`Tag ${opts.tag_name} has an empty arch list`)
      // Python's `arch not in buildcfg['arches']` on the string
      else if (!buildcfg.arches.includes(arch)) yield* warn(`${arch} is not in the list of tag arches`)
    }
    const derived = yield* MockConfig.fromBuildConfig(buildcfg, { mode: "cli", arch: arch ?? "" }).pipe(
      Effect.catchAll((e) => error(e.message))
    )
    const output = yield* MockConfig.genMockConfig(name, arch ?? "None", { ...opts, ...derived }).pipe(
      Effect.catchAll((e) => error(e.message))
    )
    if (Option.isSome(options.ofile)) {
      const file = options.ofile.value
      yield* Effect.try({
        try: () => Fs.writeFileSync(file, output),
        catch: (e) => e
      }).pipe(Effect.catchAll((e) => error(`Cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`)))
    } else {
      yield* print(output)
    }
  }))

/**
 * The buildroot commands.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands: ReadonlyArray<Handler.Spec> = [listBuildroot, mockConfig]
