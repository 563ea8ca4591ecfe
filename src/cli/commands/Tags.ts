/**
 * Tags, inheritance and build targets: `add-tag`, `edit-tag`, `remove-tag`,
 * `lock-tag`, `unlock-tag`, `list-tags`, `taginfo`, `add-tag-inheritance`,
 * `edit-tag-inheritance`, `remove-tag-inheritance`, `list-tag-inheritance`,
 * `add-target`, `edit-target`, `remove-target`, `list-targets` (Koji's options
 * and output; `--json` on the list and info commands).
 *
 * @since 0.1.0
 */
import { Args, Options } from "@effect/cli"
import { Effect, Either, Option } from "effect"
import * as Errors from "../../domain/Errors.js"
import * as Format from "../Format.js"
import * as Handler from "../Handler.js"
import * as Literal from "../Literal.js"
import { error, print, Session, usageError, warn } from "../Session.js"
import { asctime } from "../TaskLabel.js"
import { parseArches } from "./Hosts.js"

interface TagInfo {
  readonly id: number
  readonly name: string
  readonly perm_id: number | null
  readonly perm?: string | null
  readonly arches: string | null
  readonly locked: boolean
  readonly maven_support: boolean
  readonly maven_include_all: boolean
  readonly extra?: Readonly<Record<string, unknown>>
  readonly config_inheritance?: { readonly extra: Readonly<Record<string, { readonly name: string }>> }
}

interface Link {
  readonly parent_id: number
  readonly child_id?: number
  readonly tag_id?: number
  readonly name: string
  readonly priority: number
  readonly maxdepth: number | null
  readonly intransitive: boolean
  readonly noconfig: boolean
  readonly pkg_filter: string
  readonly currdepth?: number
}

interface TargetInfo {
  readonly id: number
  readonly name: string
  readonly build_tag: number
  readonly build_tag_name: string
  readonly dest_tag: number
  readonly dest_tag_name: string
}

const json = Options.boolean("json").pipe(Options.withDescription("Print the result as JSON"))

const optionalText = (name: string, description: string) =>
  Options.text(name).pipe(Options.optional, Options.withDescription(description))

const flag = (name: string, description: string) => Options.boolean(name).pipe(Options.withDescription(description))

const eventOptions = {
  event: Options.integer("event").pipe(Options.optional, Options.withDescription("query at event")),
  ts: Options.integer("ts").pipe(Options.optional, Options.withDescription("query at last event before timestamp")),
  repo: Options.integer("repo").pipe(Options.optional, Options.withDescription("query at event for a repo"))
}

// koji.util.eventFromOpts, printing Koji's "Querying at event" line
const eventFromOpts = (options: {
  readonly event: Option.Option<number>
  readonly ts: Option.Option<number>
  readonly repo: Option.Option<number>
}) =>
  Effect.gen(function*() {
    const session = yield* Session
    let event: { readonly id: number; readonly ts: number } | null = null
    if (Option.isSome(options.event) && options.event.value) {
      event = yield* session.call("getEvent", { id: options.event.value })
    } else if (Option.isSome(options.ts)) {
      event = yield* session.call("getLastEvent", { before: options.ts.value })
    } else if (Option.isSome(options.repo)) {
      const repo: { readonly create_event: number; readonly create_ts: number } = yield* session.call("repoInfo", {
        repo_id: options.repo.value,
        strict: true
      })
      event = { id: repo.create_event, ts: repo.create_ts }
    }
    if (event !== null) yield* print(`Querying at event ${event.id} (${asctime(event.ts)})`)
    return event
  })

const getTag = (tagInfo: string | number, extra: Record<string, unknown> = {}) =>
  Effect.flatMap(Session, (s) => s.call("getTag", { tagInfo, ...extra }) as Effect.Effect<TagInfo | null>)

const hasPerm = (perm: string) => Effect.flatMap(Session, (s) => s.call("hasPerm", { perm }) as Effect.Effect<boolean>)

const requirePerm = (perm: string) =>
  Effect.gen(function*() {
    if (!(yield* hasPerm("admin")) && !(yield* hasPerm(perm))) {
      return yield* usageError(`This action requires ${perm} or admin privileges`)
    }
  })

/**
 * Python's `fnmatch.fnmatch` (case-sensitive, as on Linux).
 *
 * @since 0.1.0
 * @category combinators
 */
export const fnmatch = (name: string, pattern: string): boolean => {
  let re = ""
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === "*") re += ".*"
    else if (c === "?") re += "."
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 2)
      if (end === -1) re += "\\["
      else {
        let body = pattern.slice(i + 1, end).replace(/\\/g, "\\\\")
        if (body.startsWith("!")) body = `^${body.slice(1)}`
        re += `[${body}]`
        i = end
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")
  }
  return new RegExp(`^(?:${re})$`, "s").test(name)
}

/**
 * Koji's `format_inheritance_flags`: `M`axdepth, `F`ilter, `I`ntransitive, `N`oconfig or `.`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const inheritanceFlags = (link: Link): string =>
  (link.maxdepth !== null ? "M" : ".") + (link.pkg_filter ? "F" : ".") + (link.intransitive ? "I" : ".") +
  (link.noconfig ? "N" : ".")

/**
 * Koji's `multicall(strict=True)` as the CLI uses it: every call runs (each on its
 * own), then the first failure is raised.
 *
 * @since 0.1.0
 * @category combinators
 */
export const strictBatch = (calls: ReadonlyArray<readonly [string, Record<string, unknown>]>) =>
  Effect.gen(function*() {
    const session = yield* Session
    const results = yield* Effect.forEach(calls, ([method, payload]) => Effect.either(session.call(method, payload)))
    const failed = results.find(Either.isLeft)
    if (failed !== undefined) return yield* Effect.fail(failed.left)
  })

// -x key=value options into an extra map
const extraOptions = (values: ReadonlyArray<string>, parseJson: boolean) =>
  Effect.gen(function*() {
    const extra: Record<string, unknown> = {}
    for (const option of values) {
      const at = option.indexOf("=")
      if (at === -1) return yield* usageError(`Invalid extra option: ${option} (expected key=value)`)
      const key = option.slice(0, at)
      const text = option.slice(at + 1)
      if (parseJson && Object.hasOwn(extra, key)) return yield* usageError(`Duplicate extra key: ${key}`)
      let value = Literal.argFilter(text)
      if (parseJson && typeof value === "string") {
        const parsed = Literal.jsonLoads(text)
        if (Either.isRight(parsed)) value = parsed.right
      }
      extra[key] = value
    }
    return extra
  })

const extraOption = Options.text("extra").pipe(
  Options.withAlias("x"),
  Options.repeated,
  Options.withDescription("Set tag extra option (key=value)")
)

/**
 * `add-tag`.
 *
 * @since 0.1.0
 * @category commands
 */
export const addTag = Handler.make("add-tag", {
  category: "admin",
  summary: "Add a new tag to the database",
  usage: "add-tag [options] <name>"
}, {
  parent: optionalText("parent", "Set a parent tag with priority 0"),
  arches: optionalText("arches", "Specify arches"),
  mavenSupport: flag("maven-support", "Enable creation of Maven repos for this tag"),
  includeAll: flag("include-all", "Include all packages in this tag when generating Maven repos"),
  extra: extraOption,
  name: Args.text({ name: "name" })
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    yield* requirePerm("tag")
    const opts: Record<string, unknown> = {}
    if (Option.isSome(options.parent)) opts["parent"] = options.parent.value
    if (Option.isSome(options.arches)) opts["arches"] = yield* parseArches(options.arches.value)
    if (options.mavenSupport) opts["maven_support"] = true
    if (options.includeAll) opts["maven_include_all"] = true
    if (options.extra.length > 0) opts["extra"] = yield* extraOptions(options.extra, false)
    yield* session.call("createTag", { name: options.name, ...opts })
  }))

/**
 * `edit-tag`.
 *
 * @since 0.1.0
 * @category commands
 */
export const editTag = Handler.make("edit-tag", {
  category: "admin",
  summary: "Alter tag information",
  usage: "edit-tag [options] <name>"
}, {
  arches: optionalText("arches", "Specify arches"),
  perm: optionalText("perm", "Specify permission requirement"),
  noPerm: flag("no-perm", "Remove permission requirement"),
  lock: flag("lock", "Lock the tag"),
  unlock: flag("unlock", "Unlock the tag"),
  rename: optionalText("rename", "Rename the tag"),
  mavenSupport: flag("maven-support", "Enable creation of Maven repos for this tag"),
  noMavenSupport: flag("no-maven-support", "Disable creation of Maven repos for this tag"),
  includeAll: flag("include-all", "Include all packages in this tag when generating Maven repos"),
  noIncludeAll: flag("no-include-all", "Do not include all packages in this tag when generating Maven repos"),
  extra: Options.text("extra").pipe(
    Options.withAlias("x"),
    Options.repeated,
    Options.withDescription("Set tag extra option. JSON-encoded or simple value")
  ),
  removeExtra: Options.text("remove-extra").pipe(Options.withAlias("r"), Options.repeated, Options.withDescription("Remove tag extra option")),
  blockExtra: Options.text("block-extra").pipe(Options.withAlias("b"), Options.repeated, Options.withDescription("Block inherited tag extra option")),
  name: Args.text({ name: "name" })
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const opts: Record<string, unknown> = {}
    if (Option.isSome(options.arches)) opts["arches"] = yield* parseArches(options.arches.value)
    if (options.noPerm) opts["perm"] = null
    else if (Option.isSome(options.perm)) opts["perm"] = options.perm.value
    if (options.unlock) opts["locked"] = false
    if (options.lock) opts["locked"] = true
    if (Option.isSome(options.rename)) opts["name"] = options.rename.value
    if (options.mavenSupport) opts["maven_support"] = true
    if (options.noMavenSupport) opts["maven_support"] = false
    if (options.includeAll) opts["maven_include_all"] = true
    if (options.noIncludeAll) opts["maven_include_all"] = false
    if (options.extra.length > 0) opts["extra"] = yield* extraOptions(options.extra, true)
    opts["remove_extra"] = options.removeExtra
    opts["block_extra"] = options.blockExtra
    yield* session.call("editTag2", { tagInfo: options.name, ...opts })
  }))

/**
 * `remove-tag`.
 *
 * @since 0.1.0
 * @category commands
 */
export const removeTag = Handler.make("remove-tag", {
  category: "admin",
  summary: "Remove a tag",
  usage: "remove-tag [options] <name>"
}, { name: Args.text({ name: "name" }) }, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    yield* requirePerm("tag")
    const tag = yield* getTag(options.name)
    if (tag === null) return yield* error(`No such tag: ${options.name}`)
    yield* session.call("deleteTag", { tagInfo: tag.id })
  }))

const selectTags = (names: ReadonlyArray<string>, glob: boolean) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (glob) {
      const all: ReadonlyArray<TagInfo> = yield* session.call("listTags", {})
      const selected = all.filter((t) => names.some((p) => fnmatch(t.name, p)))
      if (selected.length === 0) yield* print("No tags matched")
      return selected
    }
    return undefined
  })

/**
 * `lock-tag`.
 *
 * @since 0.1.0
 * @category commands
 */
export const lockTag = Handler.make("lock-tag", {
  category: "admin",
  summary: "Lock a tag",
  usage: "lock-tag [options] <tag> [<tag> ...]"
}, {
  perm: optionalText("perm", "Specify permission requirement"),
  glob: flag("glob", "Treat args as glob patterns"),
  master: flag("master", "Lock the master lock"),
  test: Options.boolean("test").pipe(Options.withAlias("n"), Options.withDescription("Test mode")),
  tags: Args.text({ name: "tag" }).pipe(Args.atLeast(1))
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const perms: ReadonlyArray<{ readonly id: number; readonly name: string }> = yield* session.call("getAllPerms", {})
    const perm = Option.getOrElse(options.perm, () => "admin")
    const permId = perms.find((p) => p.name === perm)?.id
    if (permId === undefined) return yield* error(`No such permission: ${perm}`)
    const selected = (yield* selectTags(options.tags, options.glob)) ??
      (yield* Effect.forEach(options.tags, (name) => getTag(name, { strict: true }))) as ReadonlyArray<TagInfo>
    for (const tag of selected) {
      if (options.master) {
        if (tag.locked) yield* print(`Tag ${tag.name}: master lock already set`)
        else if (options.test) yield* print(`Would have set master lock for: ${tag.name}`)
        else yield* session.call("editTag2", { tagInfo: tag.id, locked: true })
      } else {
        if (tag.perm_id === permId) yield* print(`Tag ${tag.name}: ${perm} permission already required`)
        else if (options.test) yield* print(`Would have set permission requirement ${perm} for tag ${tag.name}`)
        else yield* session.call("editTag2", { tagInfo: tag.id, perm_id: permId })
      }
    }
  }))

/**
 * `unlock-tag`.
 *
 * @since 0.1.0
 * @category commands
 */
export const unlockTag = Handler.make("unlock-tag", {
  category: "admin",
  summary: "Unlock a tag",
  usage: "unlock-tag [options] <tag> [<tag> ...]"
}, {
  glob: flag("glob", "Treat args as glob patterns"),
  test: Options.boolean("test").pipe(Options.withAlias("n"), Options.withDescription("Test mode")),
  tags: Args.text({ name: "tag" }).pipe(Args.atLeast(1))
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    let selected = yield* selectTags(options.tags, options.glob)
    if (selected === undefined) {
      const found: Array<TagInfo> = []
      for (const name of options.tags) {
        const tag = yield* getTag(name)
        if (tag === null) return yield* usageError(`No such tag: ${name}`)
        found.push(tag)
      }
      selected = found
    }
    for (const tag of selected) {
      const opts: Record<string, unknown> = {}
      if (tag.locked) opts["locked"] = false
      if (tag.perm_id) opts["perm"] = null
      if (Object.keys(opts).length === 0) yield* print(`Tag ${tag.name}: not locked`)
      else if (options.test) yield* print(`Tag ${tag.name}: skipping changes: ${Format.repr(opts)}`)
      else yield* session.call("editTag2", { tagInfo: tag.id, ...opts })
    }
  }))

const byName = <A extends { readonly name: string }>(a: A, b: A) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/**
 * `list-tags`.
 *
 * @since 0.1.0
 * @category commands
 */
export const listTags = Handler.make("list-tags", {
  category: "info",
  summary: "Print the list of tags",
  usage: "list-tags [options] [pattern]",
  anonymous: true
}, {
  showId: flag("show-id", "Show tag ids"),
  verbose: flag("verbose", "Show more information"),
  unlocked: flag("unlocked", "Only show unlocked tags"),
  build: optionalText("build", "Show tags associated with a build"),
  package: optionalText("package", "Show tags associated with a package"),
  json,
  patterns: Args.text({ name: "pattern" }).pipe(Args.repeated)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.ensureConnection
    const filters: Record<string, unknown> = {}
    if (Option.isSome(options.package)) {
      const pkg: { readonly id: number } | null = yield* session.call("getPackage", { info: options.package.value })
      if (pkg === null) return yield* usageError(`No such package: ${options.package.value}`)
      filters["package"] = pkg.id
    }
    if (Option.isSome(options.build)) {
      if (yield* session.canCall("getBuild")) {
        const build: { readonly id: number } | null = yield* session.call("getBuild", { buildInfo: options.build.value })
        if (build === null) return yield* usageError(`No such build: ${options.build.value}`)
        filters["build"] = build.id
      } else {
        filters["build"] = options.build.value
      }
    }
    let tags: Array<TagInfo> = []
    if (options.patterns.length === 0) tags = [...(yield* session.call("listTags", filters))]
    else {
      for (const pattern of options.patterns) tags.push(...(yield* session.call("listTags", { ...filters, pattern })))
    }
    tags.sort(byName)
    if (options.unlocked) tags = tags.filter((t) => !t.locked && !t.perm)
    if (options.json) return yield* print(Format.jsonDumps(tags))
    for (const tag of tags) {
      let line = options.showId ? `${tag.name} [${tag.id}]` : tag.name
      if (options.verbose) {
        if (tag.locked) line += " [LOCKED]"
        if (tag.perm) line += ` [${tag.perm} perm required]`
      }
      yield* print(line)
    }
  }))

/**
 * `taginfo`.
 *
 * @since 0.1.0
 * @category commands
 */
export const taginfo = Handler.make("taginfo", {
  category: "info",
  summary: "Print basic information about a tag",
  usage: "taginfo [options] <tag> [<tag> ...]",
  anonymous: true
}, {
  ...eventOptions,
  json,
  tags: Args.text({ name: "tag" }).pipe(Args.atLeast(1))
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.ensureConnection
    const event = yield* eventFromOpts(options)
    const eventOpts = event === null ? {} : { event: event.id }
    const perms = new Map(
      ((yield* session.call("getAllPerms", {})) as ReadonlyArray<{ id: number; name: string }>).map((p) => [p.id, p.name])
    )
    const infos: Array<TagInfo> = []
    for (const tag of options.tags) infos.push(yield* session.call("getBuildConfig", { tag, ...eventOpts }))
    const canGroups = yield* session.canCall("getTagGroups")
    const canRepo = yield* session.canCall("getRepo")
    const canExternal = yield* session.canCall("getTagExternalRepos")
    const canMaven = yield* session.canCall("mavenEnabled")
    const maven = canMaven ? (yield* session.call("mavenEnabled", {})) as boolean : false
    const found = []
    for (const [n, info] of infos.entries()) {
      const groups: ReadonlyArray<{ name: string }> = canGroups
        ? yield* session.call("getTagGroups", { tag: info.id, ...eventOpts })
        : []
      const destTargets: ReadonlyArray<TargetInfo> = yield* session.call("getBuildTargets", { destTagID: info.id, ...eventOpts })
      const buildTargets: ReadonlyArray<TargetInfo> = yield* session.call("getBuildTargets", { buildTagID: info.id, ...eventOpts })
      const externalRepos: ReadonlyArray<Record<string, any>> = canExternal
        ? yield* session.call("getTagExternalRepos", { tag_info: info.id, ...eventOpts })
        : []
      const inheritance: ReadonlyArray<Link> = yield* session.call("getInheritanceData", { tag: info.id, ...eventOpts })
      if (options.json) {
        found.push({ ...info, groups: groups.map((g) => g.name), inheritance, dest_targets: destTargets, build_targets: buildTargets })
        continue
      }
      if (n > 0) yield* print("")
      yield* print(`Tag: ${info.name} [${info.id}]`)
      yield* print(`Arches: ${info.arches === null ? "None" : info.arches}`)
      yield* print(`Groups: ${groups.map((g) => g.name).sort().join(", ")}`)
      if (info.locked) yield* print("LOCKED")
      if (info.perm_id !== null) yield* print(`Required permission: ${Format.repr(perms.get(info.perm_id) ?? info.perm_id)}`)
      if (maven) {
        yield* print(`Maven support?: ${info.maven_support ? "yes" : "no"}`)
        yield* print(`Include all Maven archives?: ${info.maven_include_all ? "yes" : "no"}`)
      }
      if (info.extra !== undefined) {
        yield* print("Tag options:")
        for (const key of Object.keys(info.extra).sort()) {
          let line = `  ${key} : ${Format.pformat(info.extra[key])}`
          const from = info.config_inheritance?.extra[key]
          if (from !== undefined) line = `${Format.ljust(line, 30)} [${from.name}]`
          yield* print(line)
        }
      }
      const repos = new Map<number, string>()
      if (event === null) {
        for (const tagId of [...destTargets.map((t) => t.build_tag), ...buildTargets.map((t) => t.build_tag), info.id]) {
          if (repos.has(tagId)) continue
          const repo: { id: number; creation_time: string } | null = canRepo ? yield* session.call("getRepo", { tag: tagId }) : null
          repos.set(tagId, repo === null ? "no active repo" : `repo#${repo.id}: ${repo.creation_time}`)
        }
      }
      if (destTargets.length > 0) {
        yield* print("Targets that build into this tag:")
        for (const target of destTargets) {
          yield* print(
            event !== null
              ? `  ${target.name} (${target.build_tag_name})`
              : `  ${target.name} (${target.build_tag_name}, ${repos.get(target.build_tag)})`
          )
        }
      }
      if (buildTargets.length > 0) {
        yield* print("This tag is a buildroot for one or more targets")
        if (event === null) yield* print(`Current repo: ${repos.get(info.id)}`)
        yield* print("Targets that build from this tag:")
        for (const target of buildTargets) yield* print(`  ${target.name}`)
      } else if (repos.has(info.id)) {
        yield* print(`Current repo: ${repos.get(info.id)}`)
      }
      if (externalRepos.length > 0) {
        yield* print("External repos:")
        for (const r of externalRepos) {
          const arches = !("arches" in r) ? "-" : r.arches ? r.arches : "inherited from tag"
          yield* print(
            `  ${String(r.priority).padStart(3)} ${r.external_repo_name} (${r.url}, merge mode: ${r.merge_mode}), arches: ${arches}`
          )
        }
      }
      yield* print("Inheritance:")
      for (const parent of inheritance) {
        yield* print(`  ${String(parent.priority).padEnd(4)} ${inheritanceFlags(parent)} ${parent.name} [${parent.parent_id}]`)
        if (parent.maxdepth !== null) yield* print(`    maxdepth: ${parent.maxdepth}`)
        if (parent.pkg_filter) yield* print(`    package filter: ${parent.pkg_filter}`)
      }
    }
    if (options.json) yield* print(Format.jsonDumps(found))
  }))

const linkArgs = {
  tag: Args.text({ name: "tag" }),
  parent: Args.text({ name: "parent" }).pipe(Args.optional),
  linkPriority: Args.integer({ name: "priority" }).pipe(Args.optional)
}

const linkFields = (l: Link) => ({
  parent_id: l.parent_id,
  priority: l.priority,
  maxdepth: l.maxdepth,
  intransitive: l.intransitive,
  noconfig: l.noconfig,
  pkg_filter: l.pkg_filter
})

/**
 * `add-tag-inheritance`.
 *
 * @since 0.1.0
 * @category commands
 */
export const addTagInheritance = Handler.make("add-tag-inheritance", {
  category: "admin",
  summary: "Add to a tag's inheritance",
  usage: "add-tag-inheritance [options] <tag> <parent-tag>"
}, {
  priority: Options.integer("priority").pipe(Options.optional, Options.withDescription("Specify priority")),
  maxdepth: optionalText("maxdepth", "Specify max depth"),
  intransitive: flag("intransitive", "Set intransitive"),
  noconfig: flag("noconfig", "Set to packages only"),
  pkgFilter: optionalText("pkg-filter", "Specify the package filter"),
  force: flag("force", "Force adding a parent to a tag that already has that parent tag"),
  tag: Args.text({ name: "tag" }),
  parent: Args.text({ name: "parent-tag" })
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const tag = yield* getTag(options.tag)
    if (tag === null) return yield* usageError(`No such tag: ${options.tag}`)
    const parent = yield* getTag(options.parent)
    if (parent === null) return yield* usageError(`No such tag: ${options.parent}`)
    const data: ReadonlyArray<Link> = yield* session.call("getInheritanceData", { tag: tag.id })
    const priority = Option.getOrElse(options.priority, () => 0)
    if (data.some((l) => l.parent_id === parent.id) && !options.force) {
      yield* warn(
        `Error: You are attempting to add ${parent.name} as ${tag.name}'s parent even though it already is ${tag.name}'s parent.`
      )
      return yield* error("Please use --force if this is what you really want to do.")
    }
    if (data.some((l) => l.priority === priority)) {
      return yield* error(
        `Error: There is already an active inheritance with that priority on ${tag.name}, ` +
          "please specify a different priority with --priority."
      )
    }
    const maxdepth = Option.getOrUndefined(options.maxdepth)
    const added = {
      parent_id: parent.id,
      priority,
      maxdepth: maxdepth !== undefined && /^\d+$/.test(maxdepth) ? Number(maxdepth) : null,
      intransitive: options.intransitive,
      noconfig: options.noconfig,
      pkg_filter: Option.getOrElse(options.pkgFilter, () => "")
    }
    yield* session.call("setInheritanceData", { tag: tag.id, data: [...data.map(linkFields), added] })
  }))

// the one link edit-/remove-tag-inheritance act on
const findLink = (tagName: string, parentName: Option.Option<string>, priority: Option.Option<number>) =>
  Effect.gen(function*() {
    const session = yield* Session
    const tag = yield* getTag(tagName)
    if (tag === null) return yield* usageError(`No such tag: ${tagName}`)
    let parent: TagInfo | null = null
    if (Option.isSome(parentName)) {
      parent = yield* getTag(parentName.value)
      if (parent === null) return yield* usageError(`No such tag: ${parentName.value}`)
    }
    const all: ReadonlyArray<Link> = yield* session.call("getInheritanceData", { tag: tag.id })
    let data = all
    if (parent !== null) data = data.filter((l) => l.parent_id === parent.id)
    if (Option.isSome(priority) && priority.value) data = data.filter((l) => l.priority === priority.value)
    if (data.length === 0) return yield* error("No inheritance link found to remove.  Please check your arguments")
    if (data.length > 1) {
      yield* print("Multiple matches for tag.")
      if (parent === null) return yield* error("Please specify a parent on the command line.")
      if (Option.isNone(priority) || !priority.value) return yield* error("Please specify a priority on the command line.")
      return yield* error("Error: Key constraints may be broken.  Exiting.")
    }
    return { tag, link: data[0]!, all }
  })

/**
 * `edit-tag-inheritance`.
 *
 * @since 0.1.0
 * @category commands
 */
export const editTagInheritance = Handler.make("edit-tag-inheritance", {
  category: "admin",
  summary: "Edit tag inheritance",
  usage: "edit-tag-inheritance [options] <tag> <parent> [<priority>]"
}, {
  priority: optionalText("priority", "Specify a new priority"),
  maxdepth: optionalText("maxdepth", "Specify max depth"),
  intransitive: flag("intransitive", "Set intransitive"),
  noconfig: flag("noconfig", "Set to packages only"),
  pkgFilter: optionalText("pkg-filter", "Specify the package filter"),
  ...linkArgs
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const { all, link, tag } = yield* findLink(options.tag, options.parent, options.linkPriority)
    const edited = { ...linkFields(link) }
    if (Option.isSome(options.priority)) {
      const wanted = Number(options.priority.value)
      if (all.some((l) => l.priority === wanted)) {
        return yield* error(
          `Error: There is already an active inheritance with that priority on ${tag.name}, ` +
            "please specify a different priority with --priority."
        )
      }
      if (/^\d+$/.test(options.priority.value)) edited.priority = wanted
    }
    if (Option.isSome(options.maxdepth)) {
      const text = options.maxdepth.value
      if (/^\d+$/.test(text)) edited.maxdepth = Number(text)
      else if (text.toLowerCase() === "none") edited.maxdepth = null
      else return yield* error(`Invalid maxdepth: ${text}`)
    }
    if (options.intransitive) edited.intransitive = true
    if (options.noconfig) edited.noconfig = true
    if (Option.isSome(options.pkgFilter) && options.pkgFilter.value) edited.pkg_filter = options.pkgFilter.value
    const data = all.map((l) => l === link ? edited : linkFields(l))
    yield* session.call("setInheritanceData", { tag: tag.id, data })
  }))

/**
 * `remove-tag-inheritance`.
 *
 * @since 0.1.0
 * @category commands
 */
export const removeTagInheritance = Handler.make("remove-tag-inheritance", {
  category: "admin",
  summary: "Remove a tag inheritance link",
  usage: "remove-tag-inheritance <tag> <parent> [<priority>]"
}, linkArgs, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const { all, link, tag } = yield* findLink(options.tag, options.parent, options.linkPriority)
    const data = all.map((l) => l === link ? { ...linkFields(l), "delete link": true } : linkFields(l))
    yield* session.call("setInheritanceData", { tag: tag.id, data })
  }))

/**
 * Koji's `_printInheritance`: the walk as a tree (`├─`, `└─`, `│`), with the flags.
 *
 * @since 0.1.0
 * @category formatting
 */
export const inheritanceTree = (links: ReadonlyArray<Link>, reverse: boolean): Array<string> => {
  const lines: Array<string> = []
  const sibdepths: Array<number> = []
  links.forEach((current, i) => {
    const rest = links.slice(i + 1)
    const siblings = reverse
      ? rest.filter((l) => l.parent_id === current.parent_id).length
      : rest.filter((l) => l.child_id === current.child_id).length
    const depth = current.currdepth ?? 1
    let line = inheritanceFlags(current)
    let outdepth = 0
    for (const d of sibdepths) {
      if (d < depth) {
        line += " ".repeat(Math.max(0, (d - outdepth) * 3 - 1)) + "│"
        outdepth = d
      }
    }
    line += " ".repeat(Math.max(0, (depth - outdepth) * 3 - 1)) + (siblings ? "├" : "└") + "─"
    line += reverse ? `${current.name} (${current.tag_id})` : `${current.name} (${current.parent_id})`
    lines.push(line)
    if (siblings) {
      if (sibdepths.length === 0 || sibdepths[sibdepths.length - 1] !== depth) sibdepths.push(depth)
    } else if (sibdepths.length > 0 && sibdepths[sibdepths.length - 1] === depth) {
      sibdepths.pop()
    }
  })
  return lines
}

/**
 * `list-tag-inheritance`.
 *
 * @since 0.1.0
 * @category commands
 */
export const listTagInheritance = Handler.make("list-tag-inheritance", {
  category: "info",
  summary: "Print the inheritance information for a tag",
  usage: "list-tag-inheritance [options] <tag>",
  anonymous: true,
  description: "Prints tag inheritance with basic information about links.\n" +
    "Four flags could be seen in the output:\n" +
    " M - maxdepth - limits inheritance to n-levels\n" +
    " F - package filter (packages ignored for inheritance)\n" +
    " I - intransitive link - inheritance immediately stops here\n" +
    " N - noconfig - if tag is used in buildroot, its configuration values will not be used\n\n" +
    "Exact values for maxdepth and package filter can be inquired by taginfo command."
}, {
  reverse: flag("reverse", "Process tag's children instead of its parents"),
  stop: optionalText("stop", "removed in 1.26"),
  jump: optionalText("jump", "removed in 1.26"),
  ...eventOptions,
  json,
  tag: Args.text({ name: "tag" })
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (Option.isSome(options.stop)) return yield* usageError("--stop option has been removed in 1.26")
    if (Option.isSome(options.jump)) return yield* usageError("--jump option has been removed in 1.26")
    yield* session.ensureConnection
    const event = yield* eventFromOpts(options)
    const tag = yield* getTag(options.tag, event === null ? {} : { event: event.id })
    if (tag === null) return yield* usageError(`No such tag: ${options.tag}`)
    const data: ReadonlyArray<Link> = yield* session.call("getFullInheritance", {
      tag: tag.id,
      reverse: options.reverse,
      ...(event === null ? {} : { event: event.id })
    })
    if (options.json) return yield* print(Format.jsonDumps(data))
    yield* print(`     ${tag.name} (${tag.id})`)
    for (const line of inheritanceTree(data, options.reverse)) yield* print(line)
  }))

/**
 * `add-target`.
 *
 * @since 0.1.0
 * @category commands
 */
export const addTarget = Handler.make("add-target", {
  category: "admin",
  summary: "Create a new build target",
  usage: "add-target <name> <build tag> <dest tag>"
}, {
  name: Args.text({ name: "name" }),
  buildTag: Args.text({ name: "build tag" }),
  destTag: Args.text({ name: "dest tag" }).pipe(Args.optional)
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    // most targets have the same name as their destination
    const destTag = Option.getOrElse(options.destTag, () => options.name)
    yield* session.activate
    yield* requirePerm("target")
    const build = yield* getTag(options.buildTag)
    const dest = yield* getTag(destTag)
    if (build === null) return yield* error(`No such tag: ${options.buildTag}`)
    if (!build.arches) return yield* error(`Build tag has no arches: ${options.buildTag}`)
    if (dest === null) return yield* error(`No such destination tag: ${destTag}`)
    yield* session.call("createBuildTarget", { name: options.name, build_tag: options.buildTag, dest_tag: destTag })
  }))

/**
 * `edit-target`.
 *
 * @since 0.1.0
 * @category commands
 */
export const editTarget = Handler.make("edit-target", {
  category: "admin",
  summary: "Set the name, build_tag, and/or dest_tag of an existing build target to new values",
  usage: "edit-target [options] <name>"
}, {
  rename: optionalText("rename", "Specify new name for target"),
  buildTag: optionalText("build-tag", "Specify a different build tag"),
  destTag: optionalText("dest-tag", "Specify a different destination tag"),
  name: Args.text({ name: "name" })
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    yield* requirePerm("target")
    const target: TargetInfo | null = yield* session.call("getBuildTarget", { info: options.name })
    if (target === null) return yield* new Errors.GenericError({ message: `No such build target: ${options.name}` })
    let buildTagName = target.build_tag_name
    let destTagName = target.dest_tag_name
    if (Option.isSome(options.buildTag)) {
      buildTagName = options.buildTag.value
      const check = yield* getTag(buildTagName)
      if (check === null) return yield* error(`No such tag: ${buildTagName}`)
      if (!check.arches) return yield* error(`Build tag has no arches: ${buildTagName}`)
    }
    if (Option.isSome(options.destTag)) {
      if ((yield* getTag(options.destTag.value)) === null) {
        return yield* error(`No such destination tag: ${options.destTag.value}`)
      }
      destTagName = options.destTag.value
    }
    yield* session.call("editBuildTarget", {
      buildTargetInfo: target.name,
      name: Option.getOrElse(options.rename, () => target.name),
      build_tag: buildTagName,
      dest_tag: destTagName
    })
  }))

/**
 * `remove-target`.
 *
 * @since 0.1.0
 * @category commands
 */
export const removeTarget = Handler.make("remove-target", {
  category: "admin",
  summary: "Remove a build target",
  usage: "remove-target [options] <name>"
}, { name: Args.text({ name: "name" }) }, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    yield* requirePerm("target")
    const target: TargetInfo | null = yield* session.call("getBuildTarget", { info: options.name })
    if (target === null) return yield* error(`No such build target: ${options.name}`)
    yield* session.call("deleteBuildTarget", { buildTargetInfo: target.id })
  }))

/**
 * `list-targets`.
 *
 * @since 0.1.0
 * @category commands
 */
export const listTargets = Handler.make("list-targets", {
  category: "info",
  summary: "List the build targets",
  usage: "list-targets [options]",
  anonymous: true
}, {
  name: optionalText("name", "Specify the build target name"),
  quiet: flag("quiet", "Do not print the header information"),
  json
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.ensureConnection
    const targets: ReadonlyArray<TargetInfo> = yield* session.call("getBuildTargets", {
      info: Option.getOrNull(options.name)
    })
    if (targets.length === 0) {
      return yield* usageError(Option.isSome(options.name) ? `No such build target: ${options.name.value}` : "No targets were found")
    }
    const sorted = [...targets].sort(byName)
    if (options.json) return yield* print(Format.jsonDumps(sorted))
    if (!(options.quiet || session.settings.quiet)) {
      yield* print(`${Format.ljust("Name", 30)} ${Format.ljust("Buildroot", 30)} ${Format.ljust("Destination", 30)}`)
      yield* print("-".repeat(93))
    }
    for (const t of sorted) {
      yield* print(`${Format.ljust(t.name, 30)} ${Format.ljust(t.build_tag_name, 30)} ${Format.ljust(t.dest_tag_name, 30)}`)
    }
  }))

/**
 * Every command of this file.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands: ReadonlyArray<Handler.Spec> = [
  addTag,
  editTag,
  removeTag,
  lockTag,
  unlockTag,
  listTags,
  taginfo,
  addTagInheritance,
  editTagInheritance,
  removeTagInheritance,
  listTagInheritance,
  addTarget,
  editTarget,
  removeTarget,
  listTargets
]
