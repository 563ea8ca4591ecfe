/**
 * Packages and tag package lists (reference 8): the `Packages` service behind the
 * Packages handlers, and `readPackageList` / `isListed` for the areas that need
 * "is this package allowed in this tag" (tagging, latest builds, repos).
 *
 * A tag's package list is its own `tag_packages` entries (with the owner from
 * `tag_package_owners`) followed by those of its ancestors in inheritance order;
 * the first entry found for a package wins, entries from an ancestor must pass
 * every `pkg_filter` on the path (a regex matched from the start of the name),
 * and a blocked entry hides the package (callers treat it as absent, so a child
 * unblocks by listing the package again unblocked).
 *
 * Edits go through the `package_list` policy (`Policy` when the hub has it, else
 * Koji's default: `admin` or `tag` permission).
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Context, Effect, Layer, Option } from "effect"
import type { PackageListEntry } from "../api/Packages.js"
import type { QueryOpts, UserInfo } from "../api/Users.js"
import { ActionNotAllowed, GenericError, ParameterError } from "../domain/Errors.js"
import type { PackageId } from "../domain/Ids.js"
import * as Database from "../db/Database.js"
import * as Inheritance from "./Inheritance.js"
import * as Lookup from "./Lookup.js"
import { Policy } from "./Policy.js"
import * as QueryOptsSql from "./QueryOpts.js"
import { Tags, type TagInfo } from "./Tags.js"
import { layer as usersLayer, pythonStr, Users } from "./Users.js"
import * as Versioned from "./Versioned.js"

/**
 * One package-list entry (Koji's `readPackageList` row).
 *
 * @since 0.1.0
 * @category models
 */
export type PackageEntry = PackageListEntry

/**
 * What `readPackageList` reads (at least one of tag, user, package).
 *
 * @since 0.1.0
 * @category models
 */
export interface ReadOptions {
  readonly tagId?: number | null | undefined
  /** Entries owned by this user (needs owners). */
  readonly userId?: number | null | undefined
  /** A package id, or a package name. */
  readonly pkgId?: number | string | null | undefined
  readonly event?: number | null | undefined
  /** Add the entries inherited from the tag's ancestors. */
  readonly inherit?: boolean | undefined
  /** With the owner (default true; entries without an owner row are left out, as Koji's join does). */
  readonly withOwners?: boolean | undefined
  /** Keep blocked entries (default true). */
  readonly withBlocked?: boolean | undefined
}

type Failure = GenericError | ParameterError | ActionNotAllowed | SqlError.SqlError

interface Row {
  readonly package_id: number
  readonly package_name: string
  readonly tag_id: number
  readonly tag_name: string
  readonly extra_arches: string | null
  readonly blocked: boolean
  readonly owner_id?: number
  readonly owner_name?: string
}

const compileFilter = (pattern: string): Effect.Effect<RegExp, GenericError> =>
  Effect.try({
    // Python's re.match: anchored at the start only
    try: () => new RegExp(pattern, "y"),
    catch: () => new GenericError({ message: `Invalid package filter: ${pattern}` })
  })

const matchesAll = (filters: ReadonlyArray<RegExp>, name: string) =>
  filters.every((re) => {
    re.lastIndex = 0
    return re.test(name)
  })

/**
 * Koji's `readPackageList(..., with_dups=True)`: every entry per package, in the
 * order found (the tag's own first, then its ancestors in inheritance order).
 *
 * @since 0.1.0
 * @category combinators
 */
export const readPackageListDups = (
  options: ReadOptions
): Effect.Effect<Map<number, Array<PackageEntry>>, GenericError | SqlError.SqlError, SqlClient.SqlClient> =>
  read(options, true)

/**
 * Koji's `readPackageList`: one entry per package (the first found through
 * inheritance; blocked entries included unless `withBlocked` is false).
 *
 * @since 0.1.0
 * @category combinators
 */
export const readPackageList = (
  options: ReadOptions
): Effect.Effect<Map<number, PackageEntry>, GenericError | SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.map(read(options, false), (byPackage) => {
    const result = new Map<number, PackageEntry>()
    for (const [id, entries] of byPackage) result.set(id, entries[0]!)
    return result
  })

const read = (options: ReadOptions, withDups: boolean) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const { event, pkgId, tagId, userId } = options
    const none = (v: unknown) => v === null || v === undefined
    if (none(tagId) && none(userId) && none(pkgId)) {
      return yield* new GenericError({ message: "tag,user, and/or pkg must be specified" })
    }
    const withOwners = options.withOwners !== false
    if (!none(userId) && !withOwners) {
      return yield* new GenericError({ message: "userID and with_owners=False can't be used together" })
    }
    const links = !none(tagId) && options.inherit ? yield* Inheritance.fullInheritance(tagId!, { event }) : []
    const clauses: Array<Statement.Fragment> = [Versioned.activeAt(sql, event, "tag_packages")]
    if (!none(tagId)) clauses.push(sql.in("tag_packages.tag_id", [...new Set([tagId!, ...links.map((l) => l.parent_id)])]))
    if (!none(userId)) clauses.push(sql`users.id = ${userId!}`)
    if (typeof pkgId === "number") clauses.push(sql`package.id = ${pkgId}`)
    else if (typeof pkgId === "string") clauses.push(sql`package.name = ${pkgId}`)
    if (withOwners) clauses.push(Versioned.activeAt(sql, event, "tag_package_owners"))
    if (options.withBlocked === false) clauses.push(sql`NOT tag_packages.blocked`)
    const rows = yield* sql<Row>`
      SELECT package.id AS package_id, package.name AS package_name, tag.id AS tag_id, tag.name AS tag_name,
             tag_packages.extra_arches, tag_packages.blocked
             ${withOwners ? sql`, users.id AS owner_id, users.name AS owner_name` : sql``}
        FROM tag_packages
        JOIN tag ON tag.id = tag_packages.tag_id
        JOIN package ON package.id = tag_packages.package_id
        ${
      withOwners
        ? sql`JOIN tag_package_owners ON tag_package_owners.tag_id = tag_packages.tag_id
                 AND tag_package_owners.package_id = tag_packages.package_id
              JOIN users ON users.id = tag_package_owners.owner`
        : sql``
    }
       WHERE ${sql.and(clauses)}
       ORDER BY tag_packages.tag_id, tag_packages.package_id`
    const toEntry = (row: Row): PackageEntry => ({
      package_id: row.package_id,
      package_name: row.package_name,
      tag_id: row.tag_id,
      tag_name: row.tag_name,
      extra_arches: row.extra_arches,
      blocked: row.blocked,
      ...(withOwners ? { owner_id: row.owner_id!, owner_name: row.owner_name! } : {})
    })
    const packages = new Map<number, Array<PackageEntry>>()
    const byTag = new Map<number, Array<Row>>()
    for (const row of rows) {
      const list = byTag.get(row.tag_id)
      if (list === undefined) byTag.set(row.tag_id, [row])
      else list.push(row)
    }
    // the first tag: with dups every entry, else the last one wins (Koji's dict)
    for (const row of none(tagId) ? rows : byTag.get(tagId!) ?? []) {
      const list = packages.get(row.package_id)
      if (withDups && list !== undefined) list.push(toEntry(row))
      else packages.set(row.package_id, [toEntry(row)])
    }
    if (none(tagId) || !options.inherit) return packages
    const cache = new Map<string, RegExp>()
    for (const link of links) {
      const filters: Array<RegExp> = []
      for (const pattern of link.filter) {
        let re = cache.get(pattern)
        if (re === undefined) {
          re = yield* compileFilter(pattern)
          cache.set(pattern, re)
        }
        filters.push(re)
      }
      for (const row of byTag.get(link.parent_id) ?? []) {
        const list = packages.get(row.package_id)
        if (!withDups && list !== undefined) continue // the nearer entry wins
        if (!matchesAll(filters, row.package_name)) continue
        if (list === undefined) packages.set(row.package_id, [toEntry(row)])
        else list.push(toEntry(row))
      }
    }
    return packages
  })

/**
 * Koji's `checkTagPackage`: the package is listed in the tag (through inheritance) and not blocked.
 *
 * @since 0.1.0
 * @category combinators
 */
export const isListed = (
  tagId: number,
  pkgId: number,
  event?: number | null
): Effect.Effect<boolean, GenericError | SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.map(
    readPackageList({ tagId, pkgId, event, inherit: true, withOwners: false }),
    (entries) => {
      const entry = entries.get(pkgId)
      return entry !== undefined && !entry.blocked
    }
  )

/**
 * Options of `packageListAdd`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AddOptions {
  readonly owner?: UserInfo | null | undefined
  readonly block?: boolean | null | undefined
  readonly extraArches?: string | null | undefined
  readonly force?: boolean | null | undefined
  readonly update?: boolean | null | undefined
}

/**
 * Filters of `listPackages`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  readonly tagID?: TagInfo | null | undefined
  readonly userID?: UserInfo | null | undefined
  readonly pkgID?: Lookup.NameOrId | null | undefined
  readonly prefix?: string | null | undefined
  readonly inherited?: boolean | undefined
  readonly withDups?: boolean | undefined
  readonly event?: number | null | undefined
  readonly queryOpts?: QueryOpts | null | undefined
  readonly withOwners?: boolean | undefined
  readonly withBlocked?: boolean | undefined
}

/**
 * A package as `listPackagesSimple` lists it.
 *
 * @since 0.1.0
 * @category models
 */
export interface PackageRef {
  readonly package_id: number
  readonly package_name: string
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Packages extends Context.Tag("koji/hub/Packages")<Packages, {
  /** `readPackageList` (see the module doc). */
  readonly read: (options: ReadOptions) => Effect.Effect<Map<number, PackageEntry>, Failure>
  /** `checkTagPackage`: listed through inheritance and not blocked. */
  readonly isListed: (tagId: number, pkgId: number, event?: number | null) => Effect.Effect<boolean, Failure>
  /** Koji's `lookup_package(info, strict, create)`. */
  readonly lookup: (info: Lookup.NameOrId, options?: {
    readonly strict?: boolean | undefined
    readonly create?: boolean | undefined
  }) => Effect.Effect<{ readonly id: PackageId; readonly name: string } | undefined, Failure>
  /** `getPackageID`: `No such package name: X` when strict. */
  readonly packageId: (name: string, strict: boolean) => Effect.Effect<PackageId | null, Failure>
  /** `packageListAdd` (with the `package_list` policy). */
  readonly add: (taginfo: TagInfo, pkginfo: Lookup.NameOrId, options: AddOptions, actorId: number) => Effect.Effect<void, Failure>
  /** `packageListRemove`: drops the tag's own entry. */
  readonly remove: (taginfo: TagInfo, pkginfo: Lookup.NameOrId, force: boolean, actorId: number) => Effect.Effect<void, Failure>
  /** `packageListBlock`. */
  readonly block: (taginfo: TagInfo, pkginfo: Lookup.NameOrId, force: boolean, actorId: number) => Effect.Effect<void, Failure>
  /** `packageListUnblock`. */
  readonly unblock: (taginfo: TagInfo, pkginfo: Lookup.NameOrId, force: boolean, actorId: number) => Effect.Effect<void, Failure>
  /** `listPackages`: entries (or plain packages without filters), or their number with `countOnly`. */
  readonly list: (options: ListOptions) => Effect.Effect<ReadonlyArray<PackageEntry | PackageRef> | number, Failure>
  /** `listPackagesSimple`. */
  readonly listSimple: (prefix: string | null, queryOpts: QueryOpts | null) => Effect.Effect<ReadonlyArray<PackageRef> | number, Failure>
  /** `getPackageConfig`: the entry through inheritance, or undefined. */
  readonly config: (tag: TagInfo, pkg: Lookup.NameOrId, event?: number | null) => Effect.Effect<PackageEntry | undefined, Failure>
}>() {}

// Koji's _applyQueryOpts on in-memory rows (one order key)
const applyQueryOpts = <A extends object>(rows: Array<A>, opts: QueryOpts | null | undefined) =>
  Effect.gen(function*() {
    const o = opts ?? {}
    let result = rows
    if (o.order) {
      const descending = o.order.startsWith("-")
      const key = descending ? o.order.slice(1) : o.order
      if (!result.every((r) => Object.hasOwn(r, key))) {
        return yield* new ParameterError({ message: `Invalid order term: ${key}` })
      }
      const sign = descending ? -1 : 1
      result = [...result].sort((a, b) => {
        const x = (a as any)[key]
        const y = (b as any)[key]
        return x === y ? 0 : (x === null ? -1 : y === null ? 1 : x < y ? -1 : 1) * sign
      })
    }
    if (o.offset) result = result.slice(o.offset)
    if (o.limit) result = result.slice(0, o.limit)
    return o.countOnly ? result.length : result
  })

/**
 * The packages service on Koji's tables.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const tags = yield* Tags
  const users = yield* Users
  const policy = yield* Effect.serviceOption(Policy)
  const withSql = Database.withSql(sql)
  const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>) => withSql(sql.withTransaction(effect))

  /**
   * THE call site of the `package_list` policy (Koji's data: tag, action, package, force).
   * Without a `Policy` service in the hub, Koji's default policy applies.
   */
  const assertPackageListPolicy = (
    data: { readonly tag: number; readonly action: string; readonly package: unknown; readonly force: boolean },
    actorId: number
  ): Effect.Effect<void, Failure> =>
    Option.isSome(policy)
      ? policy.value.assert("package_list", { ...data, user_id: actorId }, { force: data.force })
      : Effect.flatMap(users.perms(actorId, true), (perms) =>
        perms.includes("admin") || perms.includes("tag")
          ? Effect.void
          : Effect.fail(
            new ActionNotAllowed({
              message: "policy violation (package_list): Only admin/tag can do this via default policy"
            })
          ))

  const lookup = (info: Lookup.NameOrId, options: { readonly strict?: boolean | undefined; readonly create?: boolean | undefined } = {}) =>
    Effect.map(
      withSql(Lookup.lookupName("package", info, options)),
      (row) => row === undefined ? undefined : { id: row.id as PackageId, name: row.name }
    )

  const packageId = (name: string, strict: boolean) =>
    Effect.gen(function*() {
      const [row] = yield* sql<{ id: number }>`SELECT id FROM package WHERE name = ${name}`
      if (row !== undefined) return row.id as PackageId
      if (strict) return yield* new GenericError({ message: `No such package name: ${name}` })
      return null
    })

  const readList = (options: ReadOptions) => withSql(readPackageList(options))

  // revoke the tag's own entry and write a new one, with its owner
  const writeEntry = (tagId: number, pkgId: number, ownerId: number, blocked: boolean, extraArches: string | null, actorId: number) =>
    withSql(Effect.gen(function*() {
      yield* Versioned.revoke("tag_packages", { tag_id: tagId, package_id: pkgId }, actorId)
      yield* Versioned.insert("tag_packages", { tag_id: tagId, package_id: pkgId, blocked, extra_arches: extraArches }, actorId)
      yield* writeOwner(tagId, pkgId, ownerId, actorId)
    }))

  const writeOwner = (tagId: number, pkgId: number, ownerId: number, actorId: number) =>
    withSql(Effect.gen(function*() {
      yield* Versioned.revoke("tag_package_owners", { tag_id: tagId, package_id: pkgId }, actorId)
      yield* Versioned.insert("tag_package_owners", { tag_id: tagId, package_id: pkgId, owner: ownerId }, actorId)
    }))

  const add = (taginfo: TagInfo, pkginfo: Lookup.NameOrId, options: AddOptions, actorId: number) =>
    transaction(Effect.gen(function*() {
      const force = options.force === true
      const update = options.update === true
      const tag = yield* tags.require(taginfo)
      let pkg = yield* lookup(pkginfo)
      if (pkg === undefined && typeof pkginfo !== "string") {
        return yield* new GenericError({ message: `No such package: ${pythonStr(pkginfo)}` })
      }
      let ownerId = options.owner === null || options.owner === undefined ? null : (yield* users.require(options.owner)).id
      const action = update ? "update" : options.block ? "block" : "add"
      yield* assertPackageListPolicy({ tag: tag.id, action, package: pkginfo, force }, actorId)
      pkg ??= (yield* lookup(pkginfo, { create: true }))!
      let extraArches = options.extraArches === null || options.extraArches === undefined
        ? null
        : yield* Lookup.normalizeArches(options.extraArches)
      const previous = (yield* readList({ tagId: tag.id, pkgId: pkg.id, inherit: true })).get(pkg.id)
      let block: boolean
      let changed = false
      let changedOwner = false
      if (previous === undefined) {
        block = options.block === true
        if (update && !force) {
          return yield* new GenericError({ message: `cannot update: tag ${tag.name} has no data for package ${pkg.name}` })
        }
      } else {
        ownerId ??= previous.owner_id!
        changedOwner = previous.owner_id !== ownerId
        block = options.block === null || options.block === undefined ? previous.blocked : options.block
        extraArches ??= previous.extra_arches
        changed = previous.blocked !== block || previous.extra_arches !== extraArches
        if (!changed && !changedOwner && !force) return // nothing to change
        if (previous.blocked && !block && !force) {
          return yield* new GenericError({ message: `package ${pkg.name} is blocked in tag ${tag.name}` })
        }
      }
      if (ownerId === null) {
        if (force) ownerId = actorId
        else return yield* new GenericError({ message: "owner not specified" })
      }
      if (previous === undefined || changed) yield* writeEntry(tag.id, pkg.id, ownerId, block, extraArches, actorId)
      else if (changedOwner) yield* writeOwner(tag.id, pkg.id, ownerId, actorId)
    }))

  const remove = (taginfo: TagInfo, pkginfo: Lookup.NameOrId, force: boolean, actorId: number) =>
    transaction(Effect.gen(function*() {
      const tag = yield* tags.require(taginfo)
      const pkg = (yield* lookup(pkginfo, { strict: true }))!
      yield* assertPackageListPolicy({ tag: tag.id, action: "remove", package: pkg.id, force }, actorId)
      // the owner row stays, as in Koji
      yield* withSql(Versioned.revoke("tag_packages", { tag_id: tag.id, package_id: pkg.id }, actorId))
    }))

  const block = (taginfo: TagInfo, pkginfo: Lookup.NameOrId, force: boolean, actorId: number) =>
    transaction(Effect.gen(function*() {
      const tag = yield* tags.require(taginfo)
      const pkg = (yield* lookup(pkginfo, { strict: true }))!
      const listed = yield* readList({ tagId: tag.id, pkgId: pkg.id, inherit: true, withOwners: false })
      if (listed.size === 0) {
        return yield* new GenericError({ message: `Package ${pkg.name} is not in tag listing for ${tag.name}` })
      }
      yield* add(taginfo, pkginfo, { block: true, force }, actorId)
    }))

  const unblock = (taginfo: TagInfo, pkginfo: Lookup.NameOrId, force: boolean, actorId: number) =>
    transaction(Effect.gen(function*() {
      const tag = yield* tags.require(taginfo)
      const pkg = (yield* lookup(pkginfo, { strict: true }))!
      yield* assertPackageListPolicy({ tag: tag.id, action: "unblock", package: pkg.id, force }, actorId)
      const previous = (yield* readList({ tagId: tag.id, pkgId: pkg.id, inherit: true })).get(pkg.id)
      if (previous === undefined) {
        return yield* new GenericError({
          message: `no data (blocked or otherwise) for package ${pkg.name} in tag ${tag.name}`
        })
      }
      if (!previous.blocked) {
        return yield* new GenericError({ message: `package ${pkg.name} NOT blocked in tag ${tag.name}` })
      }
      if (previous.tag_id !== tag.id) {
        // blocked in an ancestor: list it here unblocked
        yield* writeEntry(tag.id, pkg.id, previous.owner_id!, false, previous.extra_arches, actorId)
      } else {
        // blocked here: drop the block, and list it unblocked if nothing (or another block) shows through
        yield* withSql(Versioned.revoke("tag_packages", { tag_id: tag.id, package_id: pkg.id }, actorId))
        const next = (yield* readList({ tagId: tag.id, pkgId: pkg.id, inherit: true })).get(pkg.id)
        if (next === undefined || next.blocked) {
          yield* writeEntry(tag.id, pkg.id, previous.owner_id!, false, previous.extra_arches, actorId)
        }
      }
    }))

  const listSimple = (prefix: string | null, queryOpts: QueryOpts | null) =>
    Effect.gen(function*() {
      const where = prefix === null ? sql`TRUE` : sql`package.name ILIKE ${prefix} || '%'`
      return yield* QueryOptsSql.run(sql, queryOpts, {
        columns: { package_id: "package.id", package_name: "package.name" },
        tiebreak: "package.id",
        from: sql`SELECT 1 FROM package WHERE ${where}`,
        select: (order, window) =>
          sql<PackageRef>`
            SELECT package.id AS package_id, package.name AS package_name FROM package
             WHERE ${where} ORDER BY ${order} ${window}`
      })
    })

  const list = (options: ListOptions) =>
    Effect.gen(function*() {
      const none = (v: unknown) => v === null || v === undefined
      if (none(options.tagID) && none(options.userID) && none(options.pkgID)) {
        return yield* listSimple(options.prefix ?? null, options.queryOpts ?? null)
      }
      const tagId = none(options.tagID) ? null : yield* tags.tagId(options.tagID!, { strict: true })
      const userId = none(options.userID) ? null : (yield* users.require(options.userID!)).id
      const pkgId = none(options.pkgID) ? null : (yield* lookup(options.pkgID!, { strict: true }))!.id
      const readOptions: ReadOptions = {
        tagId,
        userId,
        pkgId,
        event: options.event,
        inherit: options.inherited === true,
        withOwners: options.withOwners !== false,
        withBlocked: options.withBlocked !== false
      }
      let entries: Array<PackageEntry>
      if (options.withDups) {
        entries = [...(yield* withSql(readPackageListDups(readOptions))).values()].flat()
      } else {
        entries = [...(yield* readList(readOptions)).values()]
      }
      if (options.prefix) {
        const prefix = options.prefix.toLowerCase()
        entries = entries.filter((e) => e.package_name.toLowerCase().startsWith(prefix))
      }
      return yield* applyQueryOpts(entries, options.queryOpts)
    })

  const config = (tag: TagInfo, pkg: Lookup.NameOrId, event?: number | null) =>
    Effect.gen(function*() {
      const tagId = yield* tags.tagId(tag)
      const found = yield* lookup(pkg)
      if (tagId === null || found === undefined) return undefined
      return (yield* readList({ tagId, pkgId: found.id, inherit: true, event })).get(found.id)
    })

  return Packages.of({
    read: readList,
    isListed: (tagId, pkgId, event) => withSql(isListed(tagId, pkgId, event)),
    lookup,
    packageId,
    add,
    remove,
    block,
    unblock,
    list,
    listSimple,
    config
  })
})

/**
 * The packages service (with the tags and users services it uses). The hub's
 * `Policy`, when present in the context, governs `package_list`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = Layer.effect(Packages, make).pipe(Layer.provide(usersLayer))
