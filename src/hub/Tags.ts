/**
 * Tags (reference 8): the `Tags` service behind the Tags handlers and what other
 * areas reuse — tag lookup now or as of an event (Koji's `get_tag`), tag config
 * (arches, perm, locked, maven flags), tag extra with blocked keys, the build
 * config resolved through inheritance (`getBuildConfig`), create/edit/delete, and
 * the inheritance reads and writes (with `Inheritance`).
 *
 * Writes are recorded as `actorId` in the versioned tables `tag_config`,
 * `tag_extra` and `tag_inheritance`, all in the call's one event.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import type { BuildConfig as BuildConfigRecord } from "../api/Tags.js"
import {
  BareTagListEntry,
  BareTagPackageListEntry,
  BuildConfig,
  type InheritanceChange,
  TagPackageListEntry
} from "../api/Tags.js"
import type { QueryOpts } from "../api/Users.js"
import { GenericError, type ParameterError } from "../domain/Errors.js"
import type { EventId, PermissionId, TagId } from "../domain/Ids.js"
import { Tag, TagListEntry } from "../domain/Tag.js"
import * as Database from "../db/Database.js"
import { HubConfig } from "./HubConfig.js"
import * as Inheritance from "./Inheritance.js"
import * as Lookup from "./Lookup.js"
import * as Nvr from "./Nvr.js"
import * as QueryOptsSql from "./QueryOpts.js"
import { pythonStr, verifyInternalName } from "./Users.js"
import * as Versioned from "./Versioned.js"

/**
 * A tag named by id, name, or a map with `id` or `name`.
 *
 * @since 0.1.0
 * @category models
 */
export type TagInfo = Lookup.NameOrId

/**
 * Options of `createTag`.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateOptions {
  readonly name: string
  readonly parent?: TagInfo | null | undefined
  readonly arches?: string | ReadonlyArray<string> | null | undefined
  readonly perm?: number | string | null | undefined
  readonly locked?: boolean | undefined
  readonly mavenSupport?: boolean | undefined
  readonly mavenIncludeAll?: boolean | undefined
  readonly extra?: Readonly<Record<string, unknown>> | null | undefined
}

/**
 * The changes of `editTag2` (Koji's keyword arguments; only the keys given count).
 *
 * @since 0.1.0
 * @category models
 */
export interface EditChanges {
  readonly name?: string | null | undefined
  readonly arches?: string | ReadonlyArray<string> | null | undefined
  readonly locked?: boolean | undefined
  readonly perm?: number | string | null | undefined
  readonly perm_id?: number | string | null | undefined
  readonly maven_support?: boolean | undefined
  readonly maven_include_all?: boolean | undefined
  readonly extra?: Readonly<Record<string, unknown>> | undefined
  readonly remove_extra?: ReadonlyArray<string> | null | undefined
  readonly block_extra?: ReadonlyArray<string> | null | undefined
}

/**
 * Filters of `listTags`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  readonly build?: unknown
  readonly package?: number | string | null | undefined
  readonly perms?: boolean | undefined
  readonly queryOpts?: QueryOpts | null | undefined
  readonly pattern?: string | null | undefined
}

/**
 * A `listTags` row (with perms and/or package entry as asked).
 *
 * @since 0.1.0
 * @category models
 */
export type ListEntry = TagListEntry | TagPackageListEntry | BareTagListEntry | BareTagPackageListEntry

type Failure = GenericError | ParameterError | SqlError.SqlError

/**
 * How `Tags.find` reads a tag: now or as of `event` (`"auto"`: a deleted tag's last config), with
 * its blocked extra or without.
 *
 * @since 0.1.0
 * @category models
 */
export interface FindOptions {
  readonly event?: number | "auto" | null | undefined
  readonly blocked?: boolean | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Tags extends Context.Tag("koji/hub/Tags")<Tags, {
  /** Koji's `get_tag`: by id, name or map, now or as of `event` (`"auto"`: a deleted tag's last config); `undefined` when unknown or deleted. */
  readonly find: (info: TagInfo, options?: FindOptions) => Effect.Effect<Tag | undefined, Failure>
  /** What `find` (and `require`) will look up, for a batch to read ahead (`Lookup.wanting`). */
  readonly wants: (info: TagInfo, options?: FindOptions) => ReadonlyArray<Lookup.Want>
  /** `get_tag(..., strict=True)`: `GenericError: No such tagInfo: <repr>`. */
  readonly require: (info: TagInfo, options?: FindOptions) => Effect.Effect<Tag, Failure>
  /** Koji's `get_tag_id(info, strict, create)`: the `tag` row's id (deleted tags too); `create` adds a bare row. */
  readonly tagId: (info: TagInfo, options?: {
    readonly strict?: boolean | undefined
    readonly create?: boolean | undefined
  }) => Effect.Effect<number | null, Failure>
  /** `get_tag_extra`: the tag's own extra values (blocked keys as `[true, null]` pairs with `blocked`). */
  readonly extra: (tagId: number, event?: number | null, blocked?: boolean) => Effect.Effect<Record<string, unknown>, Failure>
  /** `createTag`: answers the new tag id. */
  readonly create: (options: CreateOptions, actorId: number) => Effect.Effect<number, Failure>
  /** `editTag2`. */
  readonly edit: (info: TagInfo, changes: EditChanges, actorId: number) => Effect.Effect<void, Failure>
  /** `deleteTag`: revokes the config and everything versioned that refers to the tag. */
  readonly remove: (info: TagInfo, actorId: number) => Effect.Effect<void, Failure>
  /** `listTags`: rows, or their number with `countOnly`. */
  readonly list: (options: ListOptions) => Effect.Effect<ReadonlyArray<ListEntry> | number, Failure>
  /** `getBuildConfig`. */
  readonly buildConfig: (info: TagInfo, event?: number | null) => Effect.Effect<BuildConfigRecord, Failure>
  /** `getInheritanceData`: the direct parents (the tag must exist in the `tag` table). */
  readonly inheritanceData: (info: TagInfo, event?: number | null) => Effect.Effect<ReadonlyArray<Inheritance.InheritanceLink>, Failure>
  /** `getFullInheritance`. */
  readonly fullInheritance: (info: TagInfo, options?: Inheritance.FullInheritanceOptions) => Effect.Effect<ReadonlyArray<Inheritance.FullInheritanceLink>, Failure>
  /** `setInheritanceData`. */
  readonly setInheritance: (
    info: TagInfo,
    changes: InheritanceChange | ReadonlyArray<InheritanceChange>,
    clear: boolean,
    actorId: number
  ) => Effect.Effect<void, Failure>
}>() {}

interface ConfigRow {
  readonly id: number
  readonly name: string
  readonly perm_id: number | null
  readonly perm: string | null
  readonly arches: string | null
  readonly locked: boolean
  readonly maven_support: boolean
  readonly maven_include_all: boolean
  readonly revoke_event: number | null
}

interface ExtraRow {
  readonly tag_id: number
  readonly key: string
  readonly value: string | null
}

const parseExtra = (row: ExtraRow): Effect.Effect<unknown, GenericError> =>
  Effect.try({
    try: () => row.value === null ? null : JSON.parse(row.value) as unknown,
    catch: () => new GenericError({ message: `No such tag extra data: ${row.key}` })
  })

/**
 * The tags service on Koji's tables.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const config = yield* HubConfig
  const withSql = Database.withSql(sql)
  const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>) => withSql(sql.withTransaction(effect))
  const enableMaven = config.enableMaven === true

  const configColumns = sql`
    tag.id, tag.name, tag_config.perm_id, permissions.name AS perm, tag_config.arches, tag_config.locked,
    tag_config.maven_support, tag_config.maven_include_all, tag_config.revoke_event`

  const extraFilter = (event: number | null | undefined, blocked: boolean) =>
    sql`${Versioned.activeAt(sql, event, "tag_extra")} ${blocked ? sql`` : sql`AND tag_extra.value IS NOT NULL`}`

  // a tag's extra from its rows (in key order)
  const extraOf = (rows: ReadonlyArray<ExtraRow>, blocked: boolean) =>
    Effect.reduce(rows, {} as Record<string, unknown>, (extra, row) =>
      Effect.map(parseExtra(row), (value) => {
        extra[row.key] = blocked ? [row.value === null, value] : value
        return extra
      }))

  const readExtras = (ids: ReadonlyArray<number>, event: number | null | undefined, blocked: boolean) =>
    Effect.gen(function*() {
      const result = new Map<number, Record<string, unknown>>(ids.map((id) => [id, {}]))
      if (ids.length === 0) return result
      const rows = yield* sql<ExtraRow>`
        SELECT tag_id, key, value FROM tag_extra
         WHERE ${sql.in("tag_id", ids)} AND ${extraFilter(event, blocked)}
         ORDER BY tag_id, key`
      const byTag = new Map<number, Array<ExtraRow>>()
      for (const row of rows) {
        const tagRows = byTag.get(row.tag_id)
        if (tagRows === undefined) byTag.set(row.tag_id, [row])
        else tagRows.push(row)
      }
      for (const [id, tagRows] of byTag) result.set(id, yield* extraOf(tagRows, blocked))
      return result
    })

  const extra = (tagId: number, event?: number | null, blocked = false) =>
    Effect.map(readExtras([tagId], event, blocked), (m) => m.get(tagId)!)

  const toTag = (
    row: ConfigRow,
    extraValues: Record<string, unknown>,
    queryEvent: number | null,
    withRevoke: boolean
  ): Tag =>
    new Tag({
      id: row.id as TagId,
      name: row.name,
      perm_id: row.perm_id as PermissionId | null,
      perm: row.perm,
      arches: row.arches,
      locked: row.locked,
      maven_support: row.maven_support,
      maven_include_all: row.maven_include_all,
      extra: extraValues,
      ...(queryEvent === null ? {} : { query_event: queryEvent as EventId }),
      ...(withRevoke && row.revoke_event !== null ? { revoke_event: row.revoke_event as EventId } : {})
    })

  // a tag's config as of `event` (or now) with its extra, in one query
  const configs = (where: Statement.Fragment, event: number | null, blocked: boolean) =>
    sql<ConfigRow & { readonly extra: ReadonlyArray<ExtraRow> | null }>`
      SELECT ${configColumns},
             (SELECT json_agg(json_build_object('tag_id', tag_extra.tag_id, 'key', tag_extra.key,
                                                'value', tag_extra.value) ORDER BY tag_extra.key)
                FROM tag_extra WHERE tag_extra.tag_id = tag.id AND ${extraFilter(event, blocked)}) AS extra
        FROM tag_config JOIN tag ON tag.id = tag_config.tag_id
        LEFT JOIN permissions ON permissions.id = tag_config.perm_id
       WHERE ${where} AND ${Versioned.activeAt(sql, event, "tag_config")}`

  // the current tags by id or name, batched (a multicall of getTag is one query)
  const findCurrent = Lookup.batched((keys) =>
    Effect.gen(function*() {
      const found = new Map<string | number, Tag>()
      for (const row of yield* configs(Lookup.keysClause(sql, "tag", keys), null, false)) {
        const tag = toTag(row, yield* extraOf(row.extra ?? [], false), null, false)
        found.set(row.id, tag).set(row.name, tag)
      }
      return found
    })
  )

  // the key `find` reads through the batched lookup of current tags (now, blocked extra left out)
  const currentKey = (key: Lookup.Key, options: FindOptions) =>
    (options.event === null || options.event === undefined) && options.blocked !== true
      ? ("id" in key ? key.id : key.name)
      : undefined

  const find = (info: TagInfo, options: FindOptions = {}) =>
    Effect.gen(function*() {
      const key = yield* Lookup.nameOrId(info)
      const current = currentKey(key, options)
      if (current !== undefined) return yield* findCurrent(current)
      const blocked = options.blocked === true
      const where = Lookup.keyClause(sql, "tag", key)
      let event: number | null = null
      let withRevoke = false
      if (options.event === "auto") {
        const [last] = yield* sql<{ revoke_event: number | null }>`
          SELECT tag_config.revoke_event FROM tag_config JOIN tag ON tag.id = tag_config.tag_id
           WHERE ${where} ORDER BY tag_config.create_event DESC LIMIT 1`
        if (last !== undefined && last.revoke_event !== null) {
          // just before the deletion: the last config the tag had
          event = last.revoke_event - 1
          withRevoke = true
        }
      } else if (options.event !== null && options.event !== undefined) {
        event = options.event
      }
      const [row] = yield* configs(where, event, blocked)
      if (row === undefined) return undefined
      return toTag(row, yield* extraOf(row.extra ?? [], blocked), event, withRevoke)
    })

  const wants = (info: TagInfo, options: FindOptions = {}): ReadonlyArray<Lookup.Want> => {
    const key = Lookup.keyOf(info)
    const current = key === undefined ? undefined : currentKey(key, options)
    return current === undefined ? [] : [findCurrent.want(current)]
  }

  const require = (info: TagInfo, options: FindOptions = {}) =>
    Effect.flatMap(find(info, options), (tag) =>
      tag === undefined
        ? Effect.fail(new GenericError({ message: `No such tagInfo: ${Lookup.pythonRepr(info)}` }))
        : Effect.succeed(tag))

  const tagId = (info: TagInfo, options: { readonly strict?: boolean | undefined; readonly create?: boolean | undefined } = {}) =>
    Effect.map(withSql(Lookup.lookupName("tag", info, options)), (row) => row?.id ?? null)

  const requirePermId = (perm: number | string) =>
    Effect.map(withSql(Lookup.lookupName("permissions", perm, { strict: true })), (row) => row!.id)

  const create = (options: CreateOptions, actorId: number) =>
    transaction(Effect.gen(function*() {
      yield* verifyInternalName(options.name)
      const arches = yield* Lookup.normalizeArches(options.arches)
      if (!enableMaven && (options.mavenSupport || options.mavenIncludeAll)) {
        return yield* new GenericError({ message: "Maven support not enabled" })
      }
      if ((yield* find(options.name)) !== undefined) {
        return yield* new GenericError({ message: `A tag with the name '${options.name}' already exists` })
      }
      let parentId: number | null = null
      if (options.parent !== null && options.parent !== undefined && options.parent !== "" && options.parent !== 0) {
        const parent = yield* find(options.parent)
        if (parent === undefined) {
          return yield* new GenericError({ message: `Parent tag '${pythonStr(options.parent)}' could not be found` })
        }
        parentId = parent.id
      }
      const permId = options.perm === null || options.perm === undefined ? null : yield* requirePermId(options.perm)
      // a deleted tag's id is reused
      const id = (yield* withSql(Lookup.lookupName("tag", options.name, { create: true })))!.id
      yield* withSql(Versioned.insert("tag_config", {
        tag_id: id,
        arches,
        perm_id: permId,
        locked: options.locked ?? false,
        maven_support: options.mavenSupport ?? false,
        maven_include_all: options.mavenIncludeAll ?? false
      }, actorId))
      for (const [key, value] of Object.entries(options.extra ?? {})) {
        yield* withSql(Versioned.insert("tag_extra", { tag_id: id, key, value: Lookup.pythonJson(value) }, actorId))
      }
      if (parentId !== null) {
        yield* withSql(Inheritance.writeInheritanceData(id, {
          parent_id: parentId,
          priority: 0,
          maxdepth: null,
          intransitive: false,
          noconfig: false,
          pkg_filter: ""
        }, false, actorId))
      }
      return id
    }))

  const edit = (info: TagInfo, changes: EditChanges, actorId: number) =>
    transaction(Effect.gen(function*() {
      if (!enableMaven && (changes.maven_support !== undefined || changes.maven_include_all !== undefined)) {
        return yield* new GenericError({ message: "Maven support not enabled" })
      }
      const tag = yield* require(info)
      // perm and perm_id are aliases; perm_id wins
      let permId: number | null | undefined = undefined
      const permGiven = changes.perm_id !== undefined ? changes.perm_id : changes.perm
      if (permGiven !== undefined) permId = permGiven === null ? null : yield* requirePermId(permGiven)

      const name = changes.name
      if (name && tag.name !== name) {
        yield* verifyInternalName(name)
        const [taken] = yield* sql<{ id: number }>`SELECT id FROM tag WHERE name = ${name}`
        if (taken !== undefined) {
          return yield* new GenericError({ message: `Name ${name} already taken by tag ${taken.id}` })
        }
        yield* sql`UPDATE tag SET name = ${name} WHERE id = ${tag.id}`
      }
      let arches: string | null | undefined = undefined
      if (changes.arches !== undefined) {
        const given = changes.arches
        const asText = Array.isArray(given) ? given.join(" ") : given as string | null
        arches = given && tag.arches !== asText ? yield* Lookup.normalizeArches(given) : asText
      }

      const next = {
        perm_id: permId === undefined ? tag.perm_id : permId,
        arches: arches === undefined ? tag.arches : arches,
        locked: changes.locked ?? tag.locked,
        maven_support: changes.maven_support ?? tag.maven_support,
        maven_include_all: changes.maven_include_all ?? tag.maven_include_all
      }
      if (
        next.perm_id !== tag.perm_id || next.arches !== tag.arches || next.locked !== tag.locked ||
        next.maven_support !== tag.maven_support || next.maven_include_all !== tag.maven_include_all
      ) {
        yield* withSql(Versioned.replace("tag_config", { tag_id: tag.id }, next, actorId))
      }

      const removeExtra = changes.remove_extra ?? []
      const blockExtra = changes.block_extra ?? []
      if (changes.extra !== undefined) {
        const removed = new Set([...blockExtra, ...removeExtra])
        const conflict = Object.keys(changes.extra).find((k) => removed.has(k))
        if (conflict !== undefined) {
          return yield* new GenericError({ message: `Can not both add/update and remove tag-extra: '${conflict}'` })
        }
        for (const [key, value] of Object.entries(changes.extra)) {
          if (!Object.hasOwn(tag.extra, key) || !Lookup.jsonEqual(tag.extra[key], value)) {
            yield* withSql(Versioned.replace("tag_extra", { tag_id: tag.id, key }, { value: Lookup.pythonJson(value) }, actorId))
          }
        }
      }
      for (const key of blockExtra) {
        yield* withSql(Versioned.replace("tag_extra", { tag_id: tag.id, key }, { value: null }, actorId))
      }
      if (removeExtra.length > 0) {
        const missing = removeExtra.filter((k) => !Object.hasOwn(tag.extra, k))
        if (missing.length > 0) {
          return yield* new GenericError({ message: `Tag: ${tag.name} doesn't have extra: ${missing.join(", ")}` })
        }
        for (const key of removeExtra) yield* withSql(Versioned.revoke("tag_extra", { tag_id: tag.id, key }, actorId))
      }
    }))

  const remove = (info: TagInfo, actorId: number) =>
    transaction(Effect.gen(function*() {
      const tag = yield* require(info)
      const revokeAll: ReadonlyArray<readonly [string, string]> = [
        ["tag_config", "tag_id"],
        ["tag_extra", "tag_id"],
        ["tag_inheritance", "tag_id"],
        ["tag_inheritance", "parent_id"],
        ["build_target_config", "build_tag"],
        ["build_target_config", "dest_tag"],
        ["tag_listing", "tag_id"],
        ["tag_packages", "tag_id"],
        ["tag_package_owners", "tag_id"],
        ["tag_external_repos", "tag_id"],
        ["group_config", "tag_id"],
        ["group_req_listing", "tag_id"],
        ["group_package_listing", "tag_id"]
      ]
      for (const [table, column] of revokeAll) {
        yield* withSql(Versioned.revoke(table, { [column]: tag.id }, actorId))
      }
    }))

  // Koji's get_build(build) for listTags: an id, an N-V-R string or a {name, version, release} map
  const findBuildId = (info: unknown): Effect.Effect<number | undefined, Failure> =>
    Effect.gen(function*() {
      if (typeof info === "number") {
        const [row] = yield* sql<{ id: number }>`SELECT id FROM build WHERE id = ${info}`
        return row?.id
      }
      let nvr: { readonly name: unknown; readonly version: unknown; readonly release: unknown }
      if (typeof info === "string") {
        nvr = yield* Nvr.parseNVR(info)
      } else if (typeof info === "object" && info !== null && !Array.isArray(info)) {
        const dict = info as Record<string, unknown>
        if (typeof dict.id === "number") return yield* findBuildId(dict.id)
        if (!("name" in dict && "version" in dict && "release" in dict)) {
          return yield* new GenericError({ message: "did not provide name, version, and release" })
        }
        nvr = { name: dict.name, version: dict.version, release: dict.release }
      } else {
        return yield* new GenericError({ message: `Invalid type for build: ${pythonStr(info)}` })
      }
      const [row] = yield* sql<{ id: number }>`
        SELECT build.id FROM build JOIN package ON package.id = build.pkg_id
         WHERE package.name = ${String(nvr.name)} AND build.version = ${String(nvr.version)}
           AND build.release = ${String(nvr.release)}`
      return row?.id
    })

  const list = (options: ListOptions) =>
    Effect.gen(function*() {
      if (options.build !== null && options.build !== undefined && options.package !== null && options.package !== undefined) {
        return yield* new GenericError({ message: "only one of build and package may be specified" })
      }
      const perms = options.perms !== false
      const clauses: Array<Statement.Fragment> = [sql`tag_config.active IS TRUE`]
      const joins: Array<Statement.Fragment> = [sql`JOIN tag ON tag.id = tag_config.tag_id`]
      const columns: Record<string, string> = {
        id: "tag.id",
        name: "tag.name",
        arches: "tag_config.arches",
        locked: "tag_config.locked",
        maven_support: "tag_config.maven_support",
        maven_include_all: "tag_config.maven_include_all"
      }
      if (perms) {
        joins.push(sql`LEFT JOIN permissions ON permissions.id = tag_config.perm_id`)
        columns.perm_id = "tag_config.perm_id"
        columns.perm = "permissions.name"
      }
      let withPackage = false
      if (options.build !== null && options.build !== undefined) {
        const buildId = yield* findBuildId(options.build)
        if (buildId === undefined) {
          return yield* new GenericError({ message: `No such build: ${pythonStr(options.build)}` })
        }
        joins.push(sql`JOIN tag_listing ON tag_listing.tag_id = tag.id`)
        clauses.push(sql`tag_listing.active IS TRUE AND tag_listing.build_id = ${buildId}`)
      } else if (options.package !== null && options.package !== undefined) {
        const pkg = yield* withSql(Lookup.lookupName("package", options.package))
        if (pkg === undefined) {
          return yield* new GenericError({ message: `No such package: ${pythonStr(options.package)}` })
        }
        withPackage = true
        joins.push(sql`JOIN tag_packages ON tag_packages.tag_id = tag.id`)
        joins.push(sql`JOIN tag_package_owners ON tag_package_owners.tag_id = tag_packages.tag_id
          AND tag_package_owners.package_id = tag_packages.package_id AND tag_package_owners.active IS TRUE`)
        joins.push(sql`JOIN users ON users.id = tag_package_owners.owner`)
        clauses.push(sql`tag_packages.active IS TRUE AND tag_packages.package_id = ${pkg.id}`)
        columns.owner_id = "users.id"
        columns.owner_name = "users.name"
        columns.blocked = "tag_packages.blocked"
        columns.extra_arches = "tag_packages.extra_arches"
      }
      if (options.pattern !== null && options.pattern !== undefined) {
        clauses.push(sql`tag.name ILIKE ${Lookup.globToLike(options.pattern)}`)
      }
      const from = sql`FROM tag_config ${sql.join(" ", false)(joins)} WHERE ${sql.and(clauses)}`
      const selected = sql.literal(Object.entries(columns).map(([alias, c]) => `${c} AS "${alias}"`).join(", "))
      const rows = yield* QueryOptsSql.run(sql, options.queryOpts, {
        columns,
        tiebreak: "tag.id",
        from: sql`SELECT 1 ${from}`,
        select: (order, window) => sql<Record<string, any>>`SELECT ${selected} ${from} ORDER BY ${order} ${window}`
      })
      if (typeof rows === "number") return rows
      return rows.map((row): ListEntry => {
        const base = {
          id: row.id as TagId,
          name: row.name as string,
          arches: row.arches as string | null,
          locked: row.locked as boolean,
          maven_support: row.maven_support as boolean,
          maven_include_all: row.maven_include_all as boolean
        }
        const pkg = withPackage
          ? {
            owner_id: row.owner_id as number,
            owner_name: row.owner_name as string,
            blocked: row.blocked as boolean,
            extra_arches: row.extra_arches as string | null
          }
          : undefined
        if (perms) {
          const withPerm = { ...base, perm_id: row.perm_id as PermissionId | null, perm: row.perm as string | null }
          return pkg === undefined ? new TagListEntry(withPerm) : new TagPackageListEntry({ ...withPerm, ...pkg })
        }
        return pkg === undefined ? new BareTagListEntry(base) : new BareTagPackageListEntry({ ...base, ...pkg })
      })
    })

  // the configs (with blocked extra) of several tags as of an event, in one pair of queries
  const loadConfigs = (ids: ReadonlyArray<number>, event: number | null | undefined) =>
    Effect.gen(function*() {
      const result = new Map<number, { row: ConfigRow; extra: Record<string, unknown> }>()
      if (ids.length === 0) return result
      const rows = yield* sql<ConfigRow>`
        SELECT ${configColumns} FROM tag_config JOIN tag ON tag.id = tag_config.tag_id
          LEFT JOIN permissions ON permissions.id = tag_config.perm_id
         WHERE ${sql.in("tag.id", ids)} AND ${Versioned.activeAt(sql, event, "tag_config")}`
      const extras = yield* readExtras(ids, event, true)
      for (const row of rows) result.set(row.id, { row, extra: extras.get(row.id)! })
      return result
    })

  const buildConfig = (info: TagInfo, event?: number | null) =>
    Effect.gen(function*() {
      const tag = yield* require(info, { event, blocked: true })
      const links = yield* withSql(Inheritance.fullInheritance(tag.id, { event }))
      const configLinks = links.filter((link) => !link.noconfig)
      const ancestors = yield* loadConfigs([...new Set(configLinks.map((l) => l.parent_id))], event)
      let arches = tag.arches
      let archesFrom: { id: number; name: string } | null = null
      const merged: Record<string, unknown> = { ...tag.extra }
      const extraFrom: Record<string, { id: number; name: string }> = {}
      for (const link of configLinks) {
        const ancestor = ancestors.get(link.parent_id)
        if (ancestor === undefined) {
          return yield* new GenericError({ message: `No such tagInfo: ${link.parent_id}` })
        }
        const ref = { id: ancestor.row.id, name: ancestor.row.name }
        if (arches === null && ancestor.row.arches !== null) {
          arches = ancestor.row.arches
          archesFrom = ref
        }
        for (const [key, value] of Object.entries(ancestor.extra)) {
          if (!Object.hasOwn(merged, key)) {
            merged[key] = value
            extraFrom[key] = ref
          }
        }
      }
      // blocked keys (here or inherited) are dropped
      const resolved: Record<string, unknown> = {}
      for (const [key, pair] of Object.entries(merged)) {
        const [blocked, value] = pair as readonly [boolean, unknown]
        if (!blocked) resolved[key] = value
      }
      return new BuildConfig({
        ...tag,
        arches,
        extra: resolved,
        config_inheritance: { extra: extraFrom, arches: archesFrom }
      })
    })

  const inheritanceData = (info: TagInfo, event?: number | null) =>
    Effect.gen(function*() {
      const id = (yield* tagId(info, { strict: true }))!
      return yield* withSql(Inheritance.readInheritanceData(id, event))
    })

  const fullInheritance = (info: TagInfo, options?: Inheritance.FullInheritanceOptions) =>
    Effect.gen(function*() {
      const id = typeof info === "number" ? info : (yield* tagId(info, { strict: true }))!
      return yield* withSql(Inheritance.fullInheritance(id, options))
    })

  const setInheritance = (
    info: TagInfo,
    changes: InheritanceChange | ReadonlyArray<InheritanceChange>,
    clear: boolean,
    actorId: number
  ) =>
    transaction(Effect.gen(function*() {
      const id = (yield* tagId(info, { strict: true }))!
      yield* withSql(Inheritance.writeInheritanceData(id, changes, clear, actorId))
    }))

  return Tags.of({
    find,
    wants,
    require,
    tagId,
    extra,
    create,
    edit,
    remove,
    list,
    buildConfig,
    inheritanceData,
    fullInheritance,
    setInheritance
  })
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Tags, never, SqlClient.SqlClient | HubConfig> = Layer.effect(Tags, make)

