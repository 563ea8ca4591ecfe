/**
 * Tag package lists: `add-pkg`, `remove-pkg`, `block-pkg`, `unblock-pkg`,
 * `set-pkg-owner`, `set-pkg-arches`, `list-pkgs` (Koji's options and output;
 * `--json` on `list-pkgs`).
 *
 * @since 0.1.0
 */
import { Args, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import * as Format from "../Format.js"
import * as Handler from "../Handler.js"
import { error, print, Session, usageError, warn } from "../Session.js"
import { asctime } from "../TaskLabel.js"
import { parseArches } from "./Hosts.js"
import { strictBatch } from "./TagsCommon.js"

interface Entry {
  readonly package_id: number
  readonly package_name: string
  readonly tag_id?: number
  readonly tag_name?: string
  readonly extra_arches?: string | null
  readonly blocked?: boolean
  readonly owner_name?: string
}

const flag = (name: string, description: string) => Options.boolean(name).pipe(Options.withDescription(description))

const tagAndPackages = {
  tag: Args.text({ name: "tag" }),
  packages: Args.text({ name: "package" }).pipe(Args.atLeast(1))
}

// the tag and its package names (own entries, or inherited too)
const packageNames = (tagName: string, inherited: boolean) =>
  Effect.gen(function*() {
    const session = yield* Session
    const tag: { readonly id: number; readonly name: string } | null = yield* session.call("getTag", { tagInfo: tagName })
    if (tag === null) return yield* error(`No such tag: ${tagName}`)
    const list: ReadonlyArray<Entry> = yield* session.call("listPackages", {
      tagID: tag.id,
      with_owners: false,
      ...(inherited ? { inherited: true } : {})
    })
    return { tag, names: new Set(list.map((p) => p.package_name)) }
  })

/**
 * `add-pkg`.
 *
 * @since 0.1.0
 * @category commands
 */
export const addPkg = Handler.make("add-pkg", {
  category: "admin",
  summary: "Add a package to the listing for tag",
  usage: "add-pkg [options] --owner <owner> <tag> <package> [<package> ...]"
}, {
  force: flag("force", "Override blocks if necessary"),
  owner: Options.text("owner").pipe(Options.optional, Options.withDescription("Specify owner")),
  extraArches: Options.text("extra-arches").pipe(Options.optional, Options.withDescription("Specify extra arches")),
  ...tagAndPackages
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    if (Option.isNone(options.owner)) return yield* usageError("Please specify an owner for the package(s)")
    const owner = options.owner.value
    if ((yield* session.call("getUser", { userInfo: owner })) === null) return yield* error(`No such user: ${owner}`)
    yield* session.activate
    const { names, tag } = yield* packageNames(options.tag, false)
    const toAdd: Array<string> = []
    for (const pkg of options.packages) {
      if (names.has(pkg)) yield* print(`Package ${pkg} already exists in tag ${options.tag}`)
      else toAdd.push(pkg)
    }
    const opts: Record<string, unknown> = { force: options.force, block: false }
    if (Option.isSome(options.extraArches)) opts["extra_arches"] = yield* parseArches(options.extraArches.value)
    yield* print(`Adding ${toAdd.length} packages to tag ${tag.name}`)
    yield* strictBatch(toAdd.map((pkg) => ["packageListAdd", { taginfo: options.tag, pkginfo: pkg, owner, ...opts }] as const))
  }))

/**
 * `remove-pkg`.
 *
 * @since 0.1.0
 * @category commands
 */
export const removePkg = Handler.make("remove-pkg", {
  category: "admin",
  summary: "Remove a package from the listing for tag",
  usage: "remove-pkg [options] <tag> <package> [<package> ...]"
}, {
  force: flag("force", "Override blocks if necessary"),
  ...tagAndPackages
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const { names } = yield* packageNames(options.tag, false)
    let missing = false
    for (const pkg of options.packages) {
      if (!names.has(pkg)) {
        yield* warn(`Package ${pkg} is not in tag ${options.tag}`)
        missing = true
      }
    }
    if (missing) return yield* error(undefined, 1)
    yield* strictBatch(
      options.packages.map((pkg) => ["packageListRemove", { taginfo: options.tag, pkginfo: pkg, force: options.force }] as const)
    )
  }))

/**
 * `block-pkg`.
 *
 * @since 0.1.0
 * @category commands
 */
export const blockPkg = Handler.make("block-pkg", {
  category: "admin",
  summary: "Block a package in the listing for tag",
  usage: "block-pkg [options] <tag> <package> [<package> ...]"
}, {
  force: flag("force", "Override blocks and owner if necessary"),
  ...tagAndPackages
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const { names } = yield* packageNames(options.tag, true)
    let missing = false
    for (const pkg of options.packages) {
      if (!names.has(pkg)) {
        yield* warn(`Package ${pkg} doesn't exist in tag ${options.tag}`)
        missing = true
      }
    }
    if (missing) return yield* error(undefined, 1)
    yield* strictBatch(options.packages.map((pkg) =>
      ["packageListBlock", { taginfo: options.tag, pkginfo: pkg, ...(options.force ? { force: true } : {}) }] as const
    ))
  }))

/**
 * `unblock-pkg`.
 *
 * @since 0.1.0
 * @category commands
 */
export const unblockPkg = Handler.make("unblock-pkg", {
  category: "admin",
  summary: "Unblock a package in the listing for tag",
  usage: "unblock-pkg [options] <tag> <package> [<package> ...]"
}, tagAndPackages, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    yield* strictBatch(options.packages.map((pkg) => ["packageListUnblock", { taginfo: options.tag, pkginfo: pkg }] as const))
  }))

/**
 * `set-pkg-owner`.
 *
 * @since 0.1.0
 * @category commands
 */
export const setPkgOwner = Handler.make("set-pkg-owner", {
  category: "admin",
  summary: "Set the owner for a package",
  usage: "set-pkg-owner [options] <owner> <tag> <package> [<package> ...]"
}, {
  force: flag("force", "Force operation"),
  owner: Args.text({ name: "owner" }),
  ...tagAndPackages
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    yield* strictBatch(options.packages.map((pkg) =>
      ["packageListSetOwner", { taginfo: options.tag, pkginfo: pkg, owner: options.owner, force: options.force }] as const
    ))
  }))

/**
 * `set-pkg-arches`.
 *
 * @since 0.1.0
 * @category commands
 */
export const setPkgArches = Handler.make("set-pkg-arches", {
  category: "admin",
  summary: "Set the list of extra arches for a package",
  usage: "set-pkg-arches [options] <arches> <tag> <package> [<package> ...]"
}, {
  force: flag("force", "Force operation"),
  arches: Args.text({ name: "arches" }),
  ...tagAndPackages
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const arches = yield* parseArches(options.arches)
    yield* strictBatch(options.packages.map((pkg) =>
      ["packageListSetArches", { taginfo: options.tag, pkginfo: pkg, arches, force: options.force }] as const
    ))
  }))

/**
 * `list-pkgs`.
 *
 * @since 0.1.0
 * @category commands
 */
export const listPkgs = Handler.make("list-pkgs", {
  category: "info",
  summary: "Print the package listing for tag or for owner",
  usage: "list-pkgs [options]",
  anonymous: true
}, {
  owner: Options.text("owner").pipe(Options.optional, Options.withDescription("Specify owner")),
  tag: Options.text("tag").pipe(Options.optional, Options.withDescription("Specify tag")),
  package: Options.text("package").pipe(Options.optional, Options.withDescription("Specify package")),
  quiet: flag("quiet", "Do not print header information"),
  noinherit: flag("noinherit", "Don't follow inheritance"),
  showBlocked: flag("show-blocked", "Show blocked packages"),
  showDups: flag("show-dups", "Show superseded owners"),
  event: Options.integer("event").pipe(Options.optional, Options.withDescription("query at event")),
  ts: Options.integer("ts").pipe(Options.optional, Options.withDescription("query at last event before timestamp")),
  repo: Options.integer("repo").pipe(Options.optional, Options.withDescription("query at event for a repo")),
  json: flag("json", "Print the result as JSON")
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    const quiet = options.quiet || session.settings.quiet
    yield* session.ensureConnection
    const opts: Record<string, unknown> = {}
    if (Option.isSome(options.owner)) {
      const user: { readonly id: number } | null = yield* session.call("getUser", { userInfo: options.owner.value })
      if (user === null) return yield* usageError(`No such user: ${options.owner.value}`)
      opts["userID"] = user.id
    }
    if (Option.isSome(options.tag)) {
      const tag: { readonly id: number } | null = yield* session.call("getTag", { tagInfo: options.tag.value })
      if (tag === null) return yield* usageError(`No such tag: ${options.tag.value}`)
      opts["tagID"] = tag.id
    }
    if (Option.isSome(options.package)) opts["pkgID"] = options.package.value
    const allpkgs = Object.keys(opts).length === 0
    opts["inherited"] = !options.noinherit
    // hiding dups only makes sense for a tag
    opts["with_dups"] = Option.isSome(options.tag) ? options.showDups : true
    let event: { readonly id: number; readonly ts: number } | null = null
    if (Option.isSome(options.event) && options.event.value) event = yield* session.call("getEvent", { id: options.event.value })
    else if (Option.isSome(options.ts)) event = yield* session.call("getLastEvent", { before: options.ts.value })
    else if (Option.isSome(options.repo)) {
      const repo: { create_event: number; create_ts: number } = yield* session.call("repoInfo", { repo_id: options.repo.value, strict: true })
      event = { id: repo.create_event, ts: repo.create_ts }
    }
    if (event !== null) {
      opts["event"] = event.id
      yield* print(`Querying at event ${event.id} (${asctime(event.ts)})`)
    }
    if (allpkgs) {
      if (event !== null) return yield* usageError("--event and --ts makes sense only with --tag, --owner or --package")
      if (options.showBlocked) return yield* usageError("--show-blocked makes sense only with --tag, --owner or --package")
    }
    if (options.showBlocked) opts["with_blocked"] = true
    const data: ReadonlyArray<Entry> = yield* session.call("listPackages", opts)
    if (data.length === 0) return yield* error("(no matching packages)")
    const shown = allpkgs || options.showBlocked ? data : data.filter((p) => !p.blocked)
    if (options.json) return yield* print(Format.jsonDumps(shown))
    if (!quiet) {
      if (allpkgs) {
        yield* print("Package")
        yield* print("-".repeat(23))
      } else {
        yield* print(`${Format.ljust("Package", 23)} ${Format.ljust("Tag", 23)} ${Format.ljust("Extra Arches", 16)} ${Format.ljust("Owner", 15)}`)
        yield* print(`${"-".repeat(23)} ${"-".repeat(23)} ${"-".repeat(16)} ${"-".repeat(15)}`)
      }
    }
    for (const pkg of shown) {
      if (allpkgs || pkg.tag_id === undefined) {
        yield* print(pkg.package_name)
        continue
      }
      let line = `${Format.ljust(pkg.package_name, 23)} ${Format.ljust(pkg.tag_name ?? "", 23)} ` +
        `${Format.ljust(pkg.extra_arches ?? "", 16)} ${Format.ljust(pkg.owner_name ?? "", 15)}`
      if (pkg.blocked) line += " [BLOCKED]"
      yield* print(line)
    }
  }))

/**
 * Every command of this file.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands: ReadonlyArray<Handler.Spec> = [addPkg, removePkg, blockPkg, unblockPkg, setPkgOwner, setPkgArches, listPkgs]
