/**
 * Tagged builds (reference 8): the versioned `tag_listing` and what reads it.
 *
 * Writes follow Koji: a build must be COMPLETE; the tag must not be locked and
 * its permission (if any) must be held (an admin may force both); a build
 * already in the tag is refused unless forced, and then re-tagged (revoked and
 * added in the same event, which makes it the latest again); the `tag` policy
 * is asserted with Koji's data (`tag`, `fromtag`, `build`, `operation`,
 * `user_id`). `tag` is what Koji's `host.tagBuild` does for the `tagBuild`
 * task; `checkRequest` is the checking half of Koji's `tagBuild` call.
 *
 * Reads (`readTaggedBuilds`, `readTaggedRpms`) pick builds as Koji's
 * `readTaggedBuilds` does: the tag, then its full inheritance in walk order;
 * only COMPLETE builds whose package is listed and not blocked in the tag's
 * package list (always read through inheritance, each parent's entries
 * filtered by the accumulated `pkg_filter`s, the first entry found winning);
 * within each tag the most recently tagged first (then the highest build id);
 * `latest` keeps the first N per package in that order — so a child tag wins
 * over its parents and the last tagging wins within a tag, never the highest
 * N-V-R. The inheritance is walked once and the rest is ONE query over it.
 *
 * Tag changes are published on the event stream (`tag.change`).
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import type { BuildInfo } from "../api/Builds.js"
import * as Method from "../api/Method.js"
import type { Latest, TagInfo } from "../api/Tagging.js"
import type { Build, TaggedBuild } from "../domain/Build.js"
import { BuildState } from "../domain/Enums.js"
import { ActionNotAllowed, GenericError, type ParameterError, TagError } from "../domain/Errors.js"
import type { BuildId, BuildrootId, RpmId } from "../domain/Ids.js"
import { TaggedRpm } from "../domain/Rpm.js"
import { buildJoins, type BuildRow, fromRow, parseExtra, taggedBuildColumns, toTaggedBuild } from "./BuildRecords.js"
import { Builds, layerWithoutUsers as buildsLayerWithoutUsers } from "./Builds.js"
import * as EventStream from "./EventStream.js"
import type { HubConfig } from "./HubConfig.js"
import * as Inheritance from "./Inheritance.js"
import { layer as packagesLayer, type PackageEntry, Packages, readPackageList } from "./Packages.js"
import { Policy } from "./Policy.js"
import { layer as tagsLayer } from "./Tags.js"
import { layer as usersLayer, Users } from "./Users.js"
import * as Versioned from "./Versioned.js"

/**
 * A tag as the tagging checks need it.
 *
 * @since 0.1.0
 * @category models
 */
export interface TagRef {
  readonly id: number
  readonly name: string
  readonly locked: boolean
  readonly perm_id: number | null
  readonly perm: string | null
}

/**
 * Options of `readTaggedBuilds` (Koji's names).
 *
 * @since 0.1.0
 * @category models
 */
export interface ReadOptions {
  readonly event?: number | null | undefined
  readonly inherit?: boolean | null | undefined
  readonly latest?: Latest | undefined
  /** A package name. */
  readonly package?: string | null | undefined
  /** An owner's user name. */
  readonly owner?: string | null | undefined
  /** A build type: maven, win, image or a content generator's btype. */
  readonly type?: string | null | undefined
  readonly extra?: boolean | null | undefined
  readonly draft?: boolean | null | undefined
}

/**
 * Options of `readTaggedRpms`: those of the builds, plus arches and signatures.
 *
 * @since 0.1.0
 * @category models
 */
export interface RpmReadOptions extends ReadOptions {
  readonly arch?: string | ReadonlyArray<string> | null | undefined
  readonly rpmsigs?: boolean | null | undefined
  /** RPM `extra` (default true). */
  readonly rpmExtra?: boolean | null | undefined
}

type Failure = GenericError | ParameterError | SqlError.SqlError

/**
 * @since 0.1.0
 * @category tags
 */
export class Tagging extends Context.Tag("koji/hub/Tagging")<Tagging, {
  /** Koji's `get_tag` for tagging: by id or name, now or as of `event`; `undefined` when unknown. */
  readonly findTag: (info: TagInfo, event?: number | null) => Effect.Effect<TagRef | undefined, SqlError.SqlError>
  /** `get_tag(..., strict=True)`: `GenericError: No such tagInfo: 'x'`. */
  readonly requireTag: (info: TagInfo, event?: number | null) => Effect.Effect<TagRef, Failure>
  /** Koji's `assert_tag_access`: locked tags and tag permissions (an admin may force). */
  readonly assertAccess: (tag: TagRef, userId: number, force: boolean) => Effect.Effect<void, ActionNotAllowed | Failure>
  /** A package's entry in a tag's package list (Koji's `readPackageList` with inheritance), now or as of `event`. */
  readonly packageEntry: (
    tagId: number,
    packageId: number,
    event?: number | null
  ) => Effect.Effect<PackageEntry | undefined, Failure>
  /** Koji's `_direct_tag_build`: no access or policy check. */
  readonly directTag: (tag: TagRef, build: Build, userId: number, force: boolean) => Effect.Effect<void, TagError | Failure>
  /** Koji's `_direct_untag_build`: no access or policy check; `strict` refuses a build not in the tag. */
  readonly directUntag: (tag: TagRef, build: Build, userId: number, strict: boolean) => Effect.Effect<void, TagError | Failure>
  /** `tagBuildBypass`: policy (`operation: tag`), tag access, then tag. */
  readonly tagBypass: (
    tag: TagInfo,
    build: BuildInfo,
    options: { readonly userId: number; readonly force: boolean }
  ) => Effect.Effect<void, TagError | ActionNotAllowed | Failure>
  /** `untagBuild` / `untagBuildBypass`: policy (`operation: untag`), tag access, then untag. */
  readonly untag: (
    tag: TagInfo,
    build: BuildInfo,
    options: { readonly userId: number; readonly force: boolean; readonly strict: boolean }
  ) => Effect.Effect<void, TagError | ActionNotAllowed | Failure>
  /** `massTag`: every build tagged (forced, no checks), each in its own event to keep their order. */
  readonly massTag: (
    tag: TagInfo,
    builds: ReadonlyArray<BuildInfo>,
    userId: number
  ) => Effect.Effect<void, TagError | Failure>
  /**
   * The checks of Koji's `tagBuild` call before it makes the task: build COMPLETE, access to the
   * tag (and `fromtag`), package listed and unblocked (an admin forcing adds it), `tag` policy
   * (`operation: tag` or `move`). Answers the ids for the task's arguments
   * `[tag_id, build_id, force, fromtag_id]`.
   */
  readonly checkRequest: (
    tag: TagInfo,
    build: BuildInfo,
    options: { readonly userId: number; readonly force: boolean; readonly fromtag?: TagInfo | null | undefined }
  ) => Effect.Effect<
    { readonly tagId: number; readonly buildId: number; readonly fromtagId: number | null },
    TagError | ActionNotAllowed | Failure
  >
  /**
   * The checks of Koji's `moveAllBuilds` before it makes the chain of tasks: the package listed
   * and unblocked in `tag2` (an admin forcing adds it), access to both tags, the `tag` policy
   * (`operation: move`) for each build. Answers the tag ids and the builds of the package in
   * `tag1`, oldest tagging first.
   */
  readonly checkMoveAll: (
    tag1: TagInfo,
    tag2: TagInfo,
    packageName: string,
    options: { readonly userId: number; readonly force: boolean }
  ) => Effect.Effect<
    { readonly tag1Id: number; readonly tag2Id: number; readonly builds: ReadonlyArray<number> },
    TagError | ActionNotAllowed | Failure
  >
  /**
   * What Koji's `host.tagBuild` does for the `tagBuild` task, as `user` (the task's owner):
   * `tag` policy (`operation: tag` or `move`), package list (an admin forcing adds it), untag from
   * `fromtag` (a move), then tag; each with the tag access check.
   */
  readonly tag: (
    tag: TagInfo,
    build: BuildInfo,
    options: { readonly user: number; readonly force: boolean; readonly fromtag?: TagInfo | null | undefined }
  ) => Effect.Effect<void, TagError | ActionNotAllowed | Failure>
  /** Koji's `readTaggedBuilds` on a tag id. */
  readonly readTaggedBuilds: (tagId: number, options: ReadOptions) => Effect.Effect<ReadonlyArray<TaggedBuild>, Failure>
  /** Koji's `readTaggedRPMS`: `[rpms, builds]`. */
  readonly readTaggedRpms: (
    tagId: number,
    options: RpmReadOptions
  ) => Effect.Effect<readonly [ReadonlyArray<TaggedRpm>, ReadonlyArray<TaggedBuild>], Failure>
  /** `tagLastChangeEvent`. */
  readonly lastChangeEvent: (
    tag: TagInfo,
    before: number | null,
    inherit: boolean
  ) => Effect.Effect<number | null, Failure>
  /** `tagChangedSinceEvent` (no inheritance). */
  readonly changedSinceEvent: (event: number, tagIds: ReadonlyArray<number>) => Effect.Effect<boolean, SqlError.SqlError>
}>() {}

interface TagRow {
  readonly id: number
  readonly name: string
  readonly locked: boolean
  readonly perm_id: number | null
  readonly perm: string | null
}

/** The versioned tables whose changes change a tag's content or config (Koji's list). */
const tagTables = [
  "tag_listing",
  "tag_inheritance",
  "tag_config",
  "tag_packages",
  "tag_external_repos",
  "tag_extra",
  "group_package_listing",
  "group_req_listing",
  "group_config"
] as const

/**
 * The number of builds per package `latest` keeps (`undefined`: all), as Koji reads it: `True`
 * is 1, a number N is N, anything false is all.
 *
 * @since 0.1.0
 * @category combinators
 */
export const latestCount = (latest: Latest | undefined): number | undefined =>
  latest === true ? 1 : typeof latest === "number" && latest > 0 ? latest : undefined

interface Chain {
  readonly tags: Statement.Fragment
  readonly filters: Statement.Fragment
  readonly filtered: boolean
}

/**
 * The tagging service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const users = yield* Users
  const builds = yield* Builds
  const policy = yield* Policy
  const packages = yield* Packages
  const withSql = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provideService(effect, SqlClient.SqlClient, sql)
  const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>) => withSql(sql.withTransaction(effect))

  const findTag = (info: TagInfo, event?: number | null) =>
    Effect.map(
      sql<TagRow>`
        SELECT tag.id, tag.name, tag_config.locked, tag_config.perm_id, permissions.name AS perm
          FROM tag_config JOIN tag ON tag.id = tag_config.tag_id
          LEFT JOIN permissions ON permissions.id = tag_config.perm_id
         WHERE ${Versioned.activeAt(sql, event, "tag_config")}
           AND ${typeof info === "number" ? sql`tag.id = ${info}` : sql`tag.name = ${info}`}`,
      (rows): TagRef | undefined => rows[0]
    )

  const requireTag = (info: TagInfo, event?: number | null) =>
    Effect.flatMap(findTag(info, event), (tag) =>
      tag === undefined
        ? Effect.fail(new GenericError({ message: `No such tagInfo: ${Method.pythonRepr(info)}` }))
        : Effect.succeed(tag))

  const isAdmin = (userId: number) => Effect.map(users.perms(userId, true), (perms) => perms.includes("admin"))

  const assertAccess: Tagging["Type"]["assertAccess"] = (tag, userId, force) =>
    Effect.gen(function*() {
      const perms = yield* users.perms(userId, true)
      const override = perms.includes("admin")
      let reason: string | undefined
      if (tag.locked) reason = "tag is locked"
      else if (tag.perm_id !== null && !perms.includes(tag.perm ?? "")) reason = `tag requires ${tag.perm} permission`
      if (reason !== undefined && !(override && force)) return yield* new ActionNotAllowed({ message: reason })
    })

  // the tag and its full inheritance as VALUES lists: (ord, tag_id) and each link's pkg_filters
  const chainOf = (tagId: number, event: number | null | undefined) =>
    Effect.map(withSql(Inheritance.fullInheritance(tagId, { event })), (links): Chain => {
      const tags = [`(0, ${Number(tagId)})`, ...links.map((link, i) => `(${i + 1}, ${Number(link.parent_id)})`)]
      const filters = links.flatMap((link, i) => link.filter.map((pattern) => sql`(${i + 1}::int, ${pattern}::text)`))
      return {
        tags: sql`SELECT * FROM (VALUES ${sql.literal(tags.join(", "))}) AS chain (ord, tag_id)`,
        filters: filters.length === 0
          ? sql`SELECT NULL::int AS ord, NULL::text AS pattern WHERE FALSE`
          : sql`SELECT * FROM (VALUES ${sql.csv(filters)}) AS chain_filter (ord, pattern)`,
        filtered: filters.length > 0
      }
    })

  // readPackageList(tag, inherit=True): each package's first entry along the chain; a parent's
  // entries only when the name matches every pkg_filter on the way (Python's re.match: anchored
  // at the start)
  const listedPackages = (chain: Chain, event: number | null | undefined, packageName?: string | null) => {
    const byName = packageName !== null && packageName !== undefined
    // the package names are needed only to match filters or a given name
    return chain.filtered || byName
      ? sql`
        SELECT DISTINCT ON (tp.package_id) tp.package_id, tp.blocked
          FROM chain c
          JOIN tag_packages tp ON tp.tag_id = c.tag_id
          JOIN package p ON p.id = tp.package_id
         WHERE ${Versioned.activeAt(sql, event, "tp")}
           ${byName ? sql`AND p.name = ${packageName}` : sql.literal("")}
           AND NOT EXISTS (
             SELECT 1 FROM chain_filter f WHERE f.ord = c.ord AND p.name !~ ('^(?:' || f.pattern || ')'))
         ORDER BY tp.package_id, c.ord`
      : sql`
        SELECT DISTINCT ON (tp.package_id) tp.package_id, tp.blocked
          FROM chain c
          JOIN tag_packages tp ON tp.tag_id = c.tag_id
         WHERE ${Versioned.activeAt(sql, event, "tp")}
         ORDER BY tp.package_id, c.ord`
  }

  const packageEntry: Tagging["Type"]["packageEntry"] = (tagId, packageId, event) =>
    Effect.map(
      withSql(readPackageList({ tagId, pkgId: packageId, event, inherit: true, withOwners: false })),
      (entries) => entries.get(packageId)
    )

  // the tagged builds kept, with their place in Koji's order: (build_id, tag_id, create_event, ord)
  const selected = (tagId: number, options: ReadOptions) =>
    Effect.gen(function*() {
      const event = options.event ?? null
      const chain = yield* chainOf(tagId, event)
      const clauses: Array<Statement.Fragment> = [
        Versioned.activeAt(sql, event, "tl"),
        sql`b.state = ${BuildState.COMPLETE}`
      ]
      if (!options.inherit) clauses.push(sql`c.ord = 0`)
      if (options.package) clauses.push(sql`b.pkg_id = (SELECT id FROM package WHERE name = ${options.package})`)
      if (options.owner) clauses.push(sql`b.owner = (SELECT id FROM users WHERE name = ${options.owner})`)
      if (options.draft !== null && options.draft !== undefined) {
        clauses.push(options.draft ? sql`b.draft IS TRUE` : sql`b.draft IS NOT TRUE`)
      }
      let typeJoin: Statement.Fragment = sql.literal("")
      if (options.type === "maven") typeJoin = sql`JOIN maven_builds tb ON tb.build_id = b.id`
      else if (options.type === "win") typeJoin = sql`JOIN win_builds tb ON tb.build_id = b.id`
      else if (options.type === "image") typeJoin = sql`JOIN image_builds tb ON tb.build_id = b.id`
      else if (options.type !== null && options.type !== undefined) {
        const [btype] = yield* sql<{ id: number }>`SELECT id FROM btype WHERE name = ${options.type}`
        if (btype === undefined) return yield* new GenericError({ message: `unsupported build type: ${options.type}` })
        typeJoin = sql`JOIN build_types tb ON tb.build_id = b.id AND tb.btype_id = ${btype.id}`
      }
      const keep = latestCount(options.latest)
      const tagged = sql`
        SELECT tl.build_id, tl.tag_id, tl.create_event, c.ord, b.pkg_id
          FROM chain c
          JOIN tag_listing tl ON tl.tag_id = c.tag_id
          JOIN build b ON b.id = tl.build_id
          JOIN listed l ON l.package_id = b.pkg_id AND NOT l.blocked
          ${typeJoin}
         WHERE ${sql.and(clauses)}`
      return sql`
        WITH chain AS (${chain.tags}), chain_filter AS (${chain.filters}),
        listed AS (${listedPackages(chain, event, options.package)}),
        tagged AS (${tagged})
        ${
        keep === undefined
          ? sql`SELECT build_id, tag_id, create_event, ord FROM tagged`
          : keep === 1
          ? sql`
            SELECT DISTINCT ON (pkg_id) build_id, tag_id, create_event, ord FROM tagged
             ORDER BY pkg_id, ord, create_event DESC, build_id DESC`
          : sql`
            SELECT build_id, tag_id, create_event, ord FROM (
              SELECT t.*, row_number() OVER (PARTITION BY t.pkg_id ORDER BY t.ord, t.create_event DESC, t.build_id DESC) AS rn
                FROM tagged t) ranked
             WHERE rn <= ${keep}`
      }`
    })

  const readTaggedBuilds: Tagging["Type"]["readTaggedBuilds"] = (tagId, options) =>
    Effect.gen(function*() {
      const kept = yield* selected(tagId, options)
      const withExtra = options.extra === true
      const rows = yield* sql<
        Omit<BuildRow, "source" | "extra" | "cg_id" | "cg_name"> & {
          extra?: string | null
          tag_id: number
          tag_name: string
          create_event: number
        }
      >`
        SELECT ${sql.literal(taggedBuildColumns)}, ${withExtra ? sql`build.extra,` : sql.literal("")}
               tag.id AS tag_id, tag.name AS tag_name, r.create_event
          FROM (${kept}) r
          JOIN build ON build.id = r.build_id
          JOIN tag ON tag.id = r.tag_id
          ${sql.literal(buildJoins)}
         ORDER BY r.ord, r.create_event DESC, r.build_id DESC`
      return rows.map((row) => toTaggedBuild(row, withExtra))
    })

  interface RpmRow {
    readonly id: number
    readonly name: string
    readonly version: string
    readonly release: string
    readonly arch: string
    readonly epoch: number | null
    readonly draft: boolean | null
    readonly payloadhash: string
    readonly size: number | string
    readonly buildtime: number | string
    readonly buildroot_id: number | null
    readonly build_id: number
    readonly metadata_only: boolean
    readonly extra: string | null
    readonly sigkey?: string | null
  }

  const readTaggedRpms: Tagging["Type"]["readTaggedRpms"] = (tagId, options) =>
    Effect.gen(function*() {
      const taggedBuilds = yield* readTaggedBuilds(tagId, options)
      if (taggedBuilds.length === 0) return [[], []] as const
      const kept = yield* selected(tagId, options)
      const clauses: Array<Statement.Fragment> = [sql`TRUE`]
      const arch = options.arch
      if (arch !== null && arch !== undefined && arch !== "" && !(Array.isArray(arch) && arch.length === 0)) {
        clauses.push(typeof arch === "string" ? sql`rpminfo.arch = ${arch}` : sql`rpminfo.arch IN ${sql.in(arch)}`)
      }
      if (options.draft !== null && options.draft !== undefined) {
        clauses.push(options.draft ? sql`rpminfo.draft IS TRUE` : sql`rpminfo.draft IS NOT TRUE`)
      }
      const sigs = options.rpmsigs === true
      const rows = yield* sql<RpmRow>`
        SELECT rpminfo.id, rpminfo.name, rpminfo.version, rpminfo.release, rpminfo.arch, rpminfo.epoch,
               rpminfo.draft, rpminfo.payloadhash, rpminfo.size, rpminfo.buildtime, rpminfo.buildroot_id,
               rpminfo.build_id, rpminfo.metadata_only, rpminfo.extra
               ${sigs ? sql`, rpmsigs.sigkey` : sql.literal("")}
          FROM (SELECT DISTINCT ON (k.build_id) k.build_id, k.ord, k.create_event FROM (${kept}) k
                 ORDER BY k.build_id, k.ord) r
          JOIN rpminfo ON rpminfo.build_id = r.build_id
          ${sigs ? sql`LEFT JOIN rpmsigs ON rpmsigs.rpm_id = rpminfo.id` : sql.literal("")}
         WHERE ${sql.and(clauses)}
         ORDER BY r.ord, r.create_event DESC, r.build_id DESC, rpminfo.id ${sigs ? sql`, rpmsigs.sigkey` : sql.literal("")}`
      const withExtra = options.rpmExtra !== false
      const rpms = rows.map((row) =>
        fromRow(TaggedRpm, {
          id: row.id as RpmId,
          name: row.name,
          version: row.version,
          release: row.release,
          arch: row.arch,
          epoch: row.epoch === null ? null : Number(row.epoch),
          draft: row.draft,
          payloadhash: row.payloadhash,
          size: Number(row.size),
          buildtime: Number(row.buildtime),
          build_id: row.build_id as BuildId,
          buildroot_id: row.buildroot_id as BuildrootId | null,
          metadata_only: row.metadata_only,
          ...(withExtra ? { extra: parseExtra(row.extra) } : {}),
          ...(sigs ? { sigkey: row.sigkey ?? null } : {})
        })
      )
      return [rpms, taggedBuilds] as const
    })

  const publishChange = (tag: TagRef, build: Build, action: "tag" | "untag", userId: number) =>
    EventStream.publish({
      kind: "tag.change",
      tag_id: tag.id,
      build_id: build.id,
      data: { action, tag: tag.name, nvr: build.nvr, user_id: userId }
    })

  const directTag: Tagging["Type"]["directTag"] = (tag, build, userId, force) =>
    Effect.gen(function*() {
      if (build.state !== BuildState.COMPLETE) {
        return yield* new TagError({
          message: `build ${build.nvr} not complete: state ${BuildState.name(build.state)}`
        })
      }
      const current = yield* sql`
        SELECT build_id FROM tag_listing
         WHERE tag_id = ${tag.id} AND build_id = ${build.id} AND active IS TRUE FOR UPDATE`
      if (current.length > 0) {
        if (!force) return yield* new TagError({ message: `build ${build.nvr} already tagged (${tag.name})` })
        yield* Versioned.revoke("tag_listing", { tag_id: tag.id, build_id: build.id }, userId)
      }
      yield* Versioned.insert("tag_listing", { tag_id: tag.id, build_id: build.id }, userId)
      yield* publishChange(tag, build, "tag", userId)
    }).pipe(withSql)

  const directUntag: Tagging["Type"]["directUntag"] = (tag, build, userId, strict) =>
    Effect.gen(function*() {
      const count = yield* Versioned.revoke("tag_listing", { tag_id: tag.id, build_id: build.id }, userId)
      if (count === 0 && strict) {
        return yield* new TagError({ message: `build ${build.nvr} not in tag ${tag.name}` })
      }
      if (count > 0) yield* publishChange(tag, build, "untag", userId)
    }).pipe(withSql)

  const tagBypass: Tagging["Type"]["tagBypass"] = (tagInfo, buildInfo, options) =>
    transaction(Effect.gen(function*() {
      const tag = yield* requireTag(tagInfo)
      const build = yield* builds.require(buildInfo)
      yield* policy.assert("tag", { tag: tag.id, build: build.id, fromtag: null, operation: "tag" }, {
        force: options.force
      })
      yield* assertAccess(tag, options.userId, options.force)
      yield* directTag(tag, build, options.userId, options.force)
    }))

  const untag: Tagging["Type"]["untag"] = (tagInfo, buildInfo, options) =>
    transaction(Effect.gen(function*() {
      const tag = yield* requireTag(tagInfo)
      const build = yield* builds.require(buildInfo)
      yield* policy.assert("tag", { tag: null, build: build.id, fromtag: tag.id, operation: "untag" }, {
        force: options.force
      })
      yield* assertAccess(tag, options.userId, options.force)
      yield* directUntag(tag, build, options.userId, options.strict)
    }))

  const massTag: Tagging["Type"]["massTag"] = (tagInfo, buildInfos, userId) =>
    transaction(Effect.gen(function*() {
      const tag = yield* requireTag(tagInfo)
      for (const info of buildInfos) {
        const build = yield* builds.require(info)
        // a fresh event for each build keeps the tagging order (Koji's _delete_event_id)
        yield* Versioned.withFreshEvent(directTag(tag, build, userId, true))
      }
    }))

  // the package must be listed and not blocked (with inheritance); an admin forcing adds it
  const checkPackage = (tag: TagRef, build: Build, userId: number, force: boolean, tagText: string) =>
    Effect.gen(function*() {
      const entry = yield* packageEntry(tag.id, build.package_id)
      const problem = entry === undefined
        ? `Package ${build.name} not in list for ${tagText}`
        : entry.blocked
        ? `Package ${build.name} blocked in ${tagText}`
        : undefined
      if (problem === undefined) return
      if (!(force && (yield* isAdmin(userId)))) return yield* new TagError({ message: problem })
      yield* forceListPackage(tag, build.package_id, userId)
    })

  // Koji's pkglist_add(tag, pkg, force=True, block=False), as the actor
  const forceListPackage = (tag: TagRef, packageId: number, userId: number) =>
    packages.add(tag.id, packageId, { force: true, block: false }, userId)

  const checkRequest: Tagging["Type"]["checkRequest"] = (tagInfo, buildInfo, options) =>
    transaction(Effect.gen(function*() {
      const build = yield* builds.require(buildInfo)
      const tag = yield* requireTag(tagInfo)
      const fromtag = options.fromtag === null || options.fromtag === undefined || options.fromtag === ""
        ? undefined
        : yield* requireTag(options.fromtag)
      if (build.state !== BuildState.COMPLETE) {
        return yield* new TagError({ message: `build ${build.nvr} not complete: state ${BuildState.name(build.state)}` })
      }
      yield* assertAccess(tag, options.userId, options.force)
      if (fromtag !== undefined) yield* assertAccess(fromtag, options.userId, options.force)
      yield* checkPackage(tag, build, options.userId, options.force, tag.name)
      yield* policy.assert("tag", {
        tag: tag.id,
        build: build.id,
        fromtag: fromtag?.id ?? null,
        operation: fromtag === undefined ? "tag" : "move"
      }, { force: options.force })
      return { tagId: tag.id, buildId: build.id, fromtagId: fromtag?.id ?? null }
    }))

  // Koji's get_tag_id(info, strict=True): deleted tags too
  const tagIdOf = (info: TagInfo) =>
    Effect.flatMap(
      sql<{ id: number }>`SELECT id FROM tag WHERE ${typeof info === "number" ? sql`id = ${info}` : sql`name = ${info}`}`,
      (rows) =>
        rows[0] === undefined
          ? Effect.fail(new GenericError({ message: `No such entry in table tag: ${info}` }))
          : Effect.succeed(rows[0].id)
    )

  const checkMoveAll: Tagging["Type"]["checkMoveAll"] = (tag1, tag2, packageName, options) =>
    transaction(Effect.gen(function*() {
      const pkgId = yield* builds.packageId(packageName, false)
      if (pkgId === undefined) {
        return yield* new GenericError({ message: `No such entry in table package: ${packageName}` })
      }
      const tag1Id = yield* tagIdOf(tag1)
      const tag2Id = yield* tagIdOf(tag2)
      const entry = yield* packageEntry(tag2Id, pkgId)
      const problem = entry === undefined
        ? `Package ${packageName} not in list for tag ${tag2}`
        : entry.blocked
        ? `Package ${packageName} blocked in tag ${tag2}`
        : undefined
      if (problem !== undefined) {
        if (!(options.force && (yield* isAdmin(options.userId)))) return yield* new TagError({ message: problem })
        yield* packages.add(tag2Id, pkgId, { force: true, block: false }, options.userId)
      }
      yield* assertAccess(yield* requireTag(tag1Id), options.userId, options.force)
      yield* assertAccess(yield* requireTag(tag2Id), options.userId, options.force)
      const listed = [...yield* readTaggedBuilds(tag1Id, { package: packageName })].reverse()
      for (const build of listed) {
        yield* policy.assert("tag", { tag: tag2, fromtag: tag1, operation: "move", build: build.id })
      }
      return { tag1Id, tag2Id, builds: listed.map((b) => b.id) }
    }))

  const tag: Tagging["Type"]["tag"] = (tagInfo, buildInfo, options) =>
    transaction(Effect.gen(function*() {
      const build = yield* builds.require(buildInfo)
      const target = yield* requireTag(tagInfo)
      const fromtag = options.fromtag === null || options.fromtag === undefined || options.fromtag === ""
        ? undefined
        : yield* requireTag(options.fromtag)
      yield* policy.assert("tag", {
        tag: target.id,
        build: build.id,
        fromtag: fromtag?.name ?? null,
        user_id: options.user,
        operation: fromtag === undefined ? "tag" : "move"
      }, { force: options.force })
      yield* checkPackage(target, build, options.user, options.force, String(tagInfo))
      if (fromtag !== undefined) {
        yield* assertAccess(fromtag, options.user, options.force)
        yield* directUntag(fromtag, build, options.user, true)
      }
      yield* assertAccess(target, options.user, options.force)
      yield* directTag(target, build, options.user, options.force)
    }))

  const lastChangeEvent: Tagging["Type"]["lastChangeEvent"] = (tagInfo, before, inherit) =>
    Effect.gen(function*() {
      // Koji's get_tag(event="auto"): a deleted tag is found too, with its deletion event
      const [found] = yield* sql<{ id: number; revoke_event: number | null }>`
        SELECT tag.id, (SELECT tc.revoke_event FROM tag_config tc WHERE tc.tag_id = tag.id
                         ORDER BY tc.create_event DESC LIMIT 1) AS revoke_event
          FROM tag
         WHERE ${typeof tagInfo === "number" ? sql`tag.id = ${tagInfo}` : sql`tag.name = ${tagInfo}`}
           AND EXISTS (SELECT 1 FROM tag_config tc WHERE tc.tag_id = tag.id)`
      if (found === undefined) {
        return yield* new GenericError({ message: `No such tagInfo: ${Method.pythonRepr(tagInfo)}` })
      }
      const deleted = found.revoke_event
      if (before === null && deleted !== null) return deleted
      const tagIds = [found.id]
      if (inherit) {
        for (const link of yield* withSql(Inheritance.fullInheritance(found.id, { event: before }))) {
          tagIds.push(link.parent_id)
        }
      }
      const ids = sql.in(tagIds)
      const limit = (column: string) => before === null ? sql.literal("") : sql`AND ${sql(column)} < ${before}`
      const parts: Array<Statement.Fragment> = [
        sql`SELECT max(update_event) AS ev FROM tag_updates WHERE tag_id IN ${ids} ${limit("update_event")}`
      ]
      for (const table of tagTables) {
        parts.push(sql`SELECT max(create_event) FROM ${sql(table)} WHERE tag_id IN ${ids} ${limit("create_event")}`)
        parts.push(sql`SELECT max(revoke_event) FROM ${sql(table)} WHERE tag_id IN ${ids} ${limit("revoke_event")}`)
      }
      // the external repos of those tags (as of `before`) and their changes
      const repos = sql`
        SELECT external_repo_id FROM tag_external_repos
         WHERE tag_id IN ${ids} AND ${Versioned.activeAt(sql, before)}`
      for (const table of ["external_repo_config", "external_repo_data"]) {
        parts.push(sql`
          SELECT max(create_event) FROM ${sql(table)}
           WHERE external_repo_id IN (${repos}) ${limit("create_event")}`)
        parts.push(sql`
          SELECT max(revoke_event) FROM ${sql(table)}
           WHERE external_repo_id IN (${repos}) ${limit("revoke_event")}`)
      }
      const [row] = yield* sql<{ ev: number | null }>`
        SELECT max(ev) AS ev FROM (${sql.join(" UNION ALL ", false)(parts)}) changes`
      const last = row?.ev === null || row?.ev === undefined ? null : Number(row.ev)
      if (last === null) return null
      return deleted !== null ? Math.min(deleted, last) : last
    })

  const changedSinceEvent: Tagging["Type"]["changedSinceEvent"] = (event, tagIds) =>
    Effect.gen(function*() {
      if (tagIds.length === 0) return false
      const ids = sql.in(tagIds)
      const parts: Array<Statement.Fragment> = [
        sql`SELECT 1 FROM tag_updates WHERE update_event > ${event} AND tag_id IN ${ids}`,
        ...tagTables.map((table) =>
          sql`SELECT 1 FROM ${sql(table)} WHERE (create_event > ${event} OR revoke_event > ${event}) AND tag_id IN ${ids}`
        )
      ]
      const rows = yield* sql`SELECT EXISTS (${sql.join(" UNION ALL ", false)(parts)}) AS changed`
      return rows[0]?.changed === true
    })

  return Tagging.of({
    findTag,
    requireTag,
    assertAccess,
    packageEntry,
    directTag,
    directUntag,
    tagBypass,
    untag,
    massTag,
    checkRequest,
    checkMoveAll,
    tag,
    readTaggedBuilds,
    readTaggedRpms,
    lastChangeEvent,
    changedSinceEvent
  })
})

/**
 * The service alone (needs `Users`, `Builds` and `Policy`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutDependencies: Layer.Layer<
  Tagging,
  never,
  SqlClient.SqlClient | Users | Builds | Packages | Policy
> = Layer.effect(Tagging, make)

/**
 * The service with `Users`, `Builds` and `Packages` (needs `Policy` and the hub's settings).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Tagging, never, SqlClient.SqlClient | Policy | HubConfig> = layerWithoutDependencies.pipe(
  Layer.provide(Layer.mergeAll(buildsLayerWithoutUsers, packagesLayer)),
  Layer.provide(Layer.merge(usersLayer, tagsLayer))
)
