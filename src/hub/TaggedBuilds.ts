/**
 * What a tag holds, as Koji's `readTaggedBuilds` and `readTaggedRPMS` read it.
 *
 * The tag, then its full inheritance in walk order; only COMPLETE builds whose
 * package is listed and not blocked in the tag's package list (always read
 * through inheritance, each parent's entries filtered by the accumulated
 * `pkg_filter`s, the first entry found winning); within each tag the most
 * recently tagged first (then the highest build id); `latest` keeps the first N
 * per package in that order — so a child tag wins over its parents and the last
 * tagging wins within a tag, never the highest N-V-R.
 *
 * The inheritance is walked once (`Inheritance.fullInheritance`) and the rest is
 * ONE query: the walk as a VALUES list `(ord, tag_id)` (a tag reached twice
 * appears twice, as Koji queries it twice), the package list and the ranking in
 * SQL.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Effect } from "effect"
import type { Latest } from "../api/Tagging.js"
import type { TaggedBuild } from "../domain/Build.js"
import { BuildState } from "../domain/Enums.js"
import { GenericError } from "../domain/Errors.js"
import type { BuildId, BuildrootId, RpmId } from "../domain/Ids.js"
import { TaggedRpm } from "../domain/Rpm.js"
import * as Database from "../db/Database.js"
import { buildJoins, type BuildRow, fromRow, parseExtra, taggedBuildColumns, toTaggedBuild } from "./BuildRecords.js"
import * as Inheritance from "./Inheritance.js"
import type { RpmRow } from "./Rpms.js"
import * as Versioned from "./Versioned.js"

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

const queries = (sql: SqlClient.SqlClient) => {
  // the tag and its full inheritance as VALUES lists: (ord, tag_id) and each link's pkg_filters
  const chainOf = (tagId: number, event: number | null | undefined) =>
    Effect.map(Database.withSql(sql)(Inheritance.fullInheritance(tagId, { event })), (
      links
    ): Chain => {
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
      // a package is listed or not as a whole, so with `latest` the package list may be applied
      // after the ranking: the join then checks only the builds kept
      const tagged = sql`
        SELECT tl.build_id, tl.tag_id, tl.create_event, c.ord, b.pkg_id
          FROM chain c
          JOIN tag_listing tl ON tl.tag_id = c.tag_id
          JOIN build b ON b.id = tl.build_id
          ${keep === undefined ? sql`JOIN listed l ON l.package_id = b.pkg_id AND NOT l.blocked` : sql.literal("")}
          ${typeJoin}
         WHERE ${sql.and(clauses)}`
      const ranked = keep === 1
        ? sql`
          SELECT DISTINCT ON (pkg_id) build_id, tag_id, create_event, ord, pkg_id FROM tagged
           ORDER BY pkg_id, ord, create_event DESC, build_id DESC`
        : sql`
          SELECT build_id, tag_id, create_event, ord, pkg_id FROM (
            SELECT t.*, row_number() OVER (PARTITION BY t.pkg_id ORDER BY t.ord, t.create_event DESC, t.build_id DESC) AS rn
              FROM tagged t) numbered
           WHERE rn <= ${keep ?? 0}`
      return sql`
        WITH chain AS (${chain.tags}), chain_filter AS (${chain.filters}),
        listed AS (${listedPackages(chain, event, options.package)}),
        tagged AS (${tagged})
        ${
        keep === undefined
          ? sql`SELECT build_id, tag_id, create_event, ord FROM tagged`
          : sql`
            SELECT k.build_id, k.tag_id, k.create_event, k.ord FROM (${ranked}) k
              JOIN listed l ON l.package_id = k.pkg_id AND NOT l.blocked`
      }`
    })

  const readTaggedBuilds = (tagId: number, options: ReadOptions) =>
    Effect.gen(function*() {
      const kept = yield* selected(tagId, options)
      const withExtra = options.extra === true
      const rows = yield* sql<
        Omit<BuildRow, "source" | "extra" | "cg_id" | "cg_name"> & {
          extra?: string | null
          tag_id: number
          tag_name: string
          create_event: number
          ord: number
        }
      >`
        SELECT ${sql.literal(taggedBuildColumns)}, ${withExtra ? sql`build.extra,` : sql.literal("")}
               tag.id AS tag_id, tag.name AS tag_name, r.create_event, r.ord
          FROM (${kept}) r
          JOIN build ON build.id = r.build_id
          JOIN tag ON tag.id = r.tag_id
          ${sql.literal(buildJoins)}`
      // Koji's order (tag order, then newest tagging, then highest id), sorted here on the three
      // keys rather than by the database on the wide rows
      const ordered = [...rows].sort((a, b) => a.ord - b.ord || b.create_event - a.create_event || b.id - a.id)
      return ordered.map((row) => toTaggedBuild(row, withExtra))
    })

  // no external repo here (tagged RPMs are the builds' own); the signature key when asked
  type TaggedRpmRow = Omit<RpmRow, "external_repo_id" | "external_repo_name" | "build_id"> & {
    readonly build_id: number
    readonly sigkey?: string | null
  }

  const readTaggedRpms = (tagId: number, options: RpmReadOptions) =>
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
      const rows = yield* sql<TaggedRpmRow>`
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

  return { readTaggedBuilds, readTaggedRpms }
}

/**
 * Koji's `readTaggedBuilds` on a tag id.
 *
 * @since 0.1.0
 * @category combinators
 */
export const readTaggedBuilds = (
  tagId: number,
  options: ReadOptions
): Effect.Effect<ReadonlyArray<TaggedBuild>, GenericError | SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => queries(sql).readTaggedBuilds(tagId, options))

/**
 * Koji's `readTaggedRPMS`: `[rpms, builds]`, the RPMs of the builds picked, each build once.
 *
 * @since 0.1.0
 * @category combinators
 */
export const readTaggedRpms = (
  tagId: number,
  options: RpmReadOptions
): Effect.Effect<
  readonly [ReadonlyArray<TaggedRpm>, ReadonlyArray<TaggedBuild>],
  GenericError | SqlError.SqlError,
  SqlClient.SqlClient
> => Effect.flatMap(SqlClient.SqlClient, (sql) => queries(sql).readTaggedRpms(tagId, options))
