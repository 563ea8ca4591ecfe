/**
 * Build targets: `add-target`, `edit-target`, `remove-target`, `list-targets`
 * (Koji's options and output; `--json` on `list-targets`).
 *
 * @since 0.1.0
 */
import { Args } from "@effect/cli"
import { Effect, Option } from "effect"
import * as Errors from "../../domain/Errors.js"
import * as Format from "../Format.js"
import * as Handler from "../Handler.js"
import { error, print, Session, usageError } from "../Session.js"
import {
  byName,
  flag,
  getTag,
  json,
  optionalText,
  requirePerm,
  type TargetInfo
} from "./TagsCommon.js"

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
 * Every target command.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands: ReadonlyArray<Handler.Spec> = [addTarget, editTarget, removeTarget, listTargets]
