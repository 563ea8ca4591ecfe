/**
 * Tag inheritance: `add-tag-inheritance`, `edit-tag-inheritance`,
 * `remove-tag-inheritance`, `list-tag-inheritance` (Koji's options and tree output).
 *
 * @since 0.1.0
 */
import { Args, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import * as Format from "../Format.js"
import * as Handler from "../Handler.js"
import { error, print, Session, usageError, warn } from "../Session.js"
import {
  eventFromOpts,
  eventOptions,
  flag,
  getTag,
  inheritanceFlags,
  json,
  type Link,
  optionalText,
  type TagInfo
} from "./TagsCommon.js"

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
 * Every inheritance command.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands: ReadonlyArray<Handler.Spec> = [
  addTagInheritance,
  editTagInheritance,
  removeTagInheritance,
  listTagInheritance
]
