/**
 * Koji's `search`: find packages, builds, tags, targets, users, hosts, RPMs and
 * maven/win archives by a glob (case-insensitive), a regular expression
 * (case-insensitive) or an exact string; answers `{id, name}` rows.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Effect } from "effect"
import type { SearchResult } from "../api/Builds.js"
import type { QueryOpts } from "../api/Users.js"
import { GenericError, type ParameterError } from "../domain/Errors.js"
import { globToLike } from "./BuildRecords.js"
import * as QueryOpts_ from "./QueryOpts.js"

interface Shape {
  readonly table: string
  readonly id: string
  readonly name: string
  readonly joins?: string
  /** The expressions compared with the terms (any may match). */
  readonly match: ReadonlyArray<string>
  /** An extra condition (live tags and targets only). */
  readonly where?: string
}

const nvr = "package.name || '-' || build.version || '-' || build.release"
const rpmName = "rpminfo.name || '-' || rpminfo.version || '-' || rpminfo.release || '.' || rpminfo.arch || '.rpm'"
const winName = "win_archives.relpath || '/' || archiveinfo.filename"

const shapes: Readonly<Record<string, Shape>> = {
  package: { table: "package", id: "package.id", name: "package.name", match: ["package.name"] },
  build: {
    table: "build",
    id: "build.id",
    name: nvr,
    joins: "JOIN package ON build.pkg_id = package.id",
    match: [nvr]
  },
  tag: {
    table: "tag",
    id: "tag.id",
    name: "tag.name",
    joins: "JOIN tag_config ON tag.id = tag_config.tag_id",
    match: ["tag.name"],
    where: "tag_config.active = TRUE"
  },
  target: {
    table: "build_target",
    id: "build_target.id",
    name: "build_target.name",
    joins: "JOIN build_target_config ON build_target.id = build_target_config.build_target_id",
    match: ["build_target.name"],
    where: "build_target_config.active = TRUE"
  },
  user: { table: "users", id: "users.id", name: "users.name", match: ["users.name"] },
  host: { table: "host", id: "host.id", name: "host.name", match: ["host.name"] },
  rpm: { table: "rpminfo", id: "rpminfo.id", name: rpmName, match: [rpmName] },
  maven: {
    table: "archiveinfo",
    id: "archiveinfo.id",
    name: "archiveinfo.filename",
    joins: "JOIN maven_archives ON archiveinfo.id = maven_archives.archive_id",
    match: [
      "archiveinfo.filename",
      "maven_archives.group_id || '-' || maven_archives.artifact_id || '-' || maven_archives.version"
    ]
  },
  win: {
    table: "archiveinfo",
    id: "archiveinfo.id",
    name: `trim(leading '/' from ${winName})`,
    joins: "JOIN win_archives ON archiveinfo.id = win_archives.archive_id",
    match: ["archiveinfo.filename", winName]
  }
}

/**
 * The search types Koji knows (`file` is accepted and finds nothing).
 *
 * @since 0.1.0
 * @category constants
 */
export const searchTypes: ReadonlyArray<string> = [...Object.keys(shapes), "file"]

/**
 * Koji's `search(terms, type, matchType, queryOpts)`: `glob` and `regexp` match
 * case-insensitively, anything else exactly.
 *
 * @since 0.1.0
 * @category combinators
 */
export const search = (
  terms: string,
  type: string,
  matchType: string | null,
  queryOpts: QueryOpts | null | undefined
): Effect.Effect<
  ReadonlyArray<SearchResult> | number,
  GenericError | ParameterError | SqlError.SqlError,
  SqlClient.SqlClient
> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    if (!terms) return yield* new GenericError({ message: "empty search terms" })
    if (type === "file") {
      // searching by file name is no longer supported: an empty answer, with queryOpts applied
      return queryOpts?.countOnly ? 0 : []
    }
    const shape = Object.hasOwn(shapes, type) ? shapes[type] : undefined
    if (shape === undefined) return yield* new GenericError({ message: `No such search type: ${type}` })
    const operator = matchType === "glob" ? "ILIKE" : matchType === "regexp" ? "~*" : "="
    const value = matchType === "glob" ? globToLike(terms) : terms
    const matches: Array<Statement.Fragment> = shape.match.map((expression) =>
      sql`${sql.literal(expression)} ${sql.literal(operator)} ${value}`
    )
    const clauses = [sql.or(matches)]
    if (shape.where !== undefined) clauses.push(sql.literal(shape.where))
    const from = sql.literal(`${shape.table} ${shape.joins ?? ""}`)
    const where = sql.and(clauses)
    return yield* QueryOpts_.run(sql, queryOpts, {
      columns: { id: shape.id, name: shape.name },
      tiebreak: shape.id,
      from: sql`SELECT 1 FROM ${from} WHERE ${where}`,
      select: (order, window) =>
        sql<SearchResult>`
          SELECT ${sql.literal(shape.id)} AS id, ${sql.literal(shape.name)} AS name
            FROM ${from} WHERE ${where} ORDER BY ${order} ${window}`
    })
  })
