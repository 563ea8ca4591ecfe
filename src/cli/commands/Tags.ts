/**
 * Tags: `add-tag`, `edit-tag`, `remove-tag`, `lock-tag`, `unlock-tag`,
 * `list-tags`, `taginfo` (Koji's options and output; `--json` on the list and
 * info commands). `commands` also holds the inheritance and target commands.
 *
 * @since 0.1.0
 */
import { Args, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import * as Format from "../Format.js"
import * as Handler from "../Handler.js"
import { error, print, Session, usageError } from "../Session.js"
import { parseArches } from "./Hosts.js"
import * as Inheritance from "./Inheritance.js"
import * as Targets from "./Targets.js"
import {
  byName,
  eventFromOpts,
  eventOptions,
  extraOption,
  extraOptions,
  flag,
  fnmatch,
  getTag,
  inheritanceFlags,
  json,
  type Link,
  optionalText,
  requirePerm,
  type TagInfo,
  type TargetInfo
} from "./TagsCommon.js"

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

/**
 * Every tag, inheritance and target command.
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
  ...Inheritance.commands,
  ...Targets.commands
]
