/**
 * When a tag last changed (reference 8): the events repo tools compare against
 * their repos' events, over every table that shapes a tag's repo.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Effect } from "effect"
import * as Method from "../api/Method.js"
import type { TagInfo } from "../api/Tagging.js"
import { GenericError } from "../domain/Errors.js"
import * as Inheritance from "./Inheritance.js"
import * as Versioned from "./Versioned.js"

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
 * Koji's `tagLastChangeEvent`: the newest event (before `before`) that changed the tag or,
 * with `inherit`, one of its ancestors (as of `before`): tagged builds, inheritance, config,
 * package lists, external repos and their data, extra, comps groups, `tag_updates`. A deleted
 * tag answers its deletion event.
 *
 * @since 0.1.0
 * @category combinators
 */
export const lastChangeEvent = (
tagInfo: TagInfo,
before: number | null,
inherit: boolean
): Effect.Effect<number | null, GenericError | SqlError.SqlError, SqlClient.SqlClient> =>
Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
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
      for (const link of yield* Inheritance.fullInheritance(found.id, { event: before })) {
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

/**
 * Koji's `tagChangedSinceEvent`: whether any of the tags (no inheritance) changed after `event`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const changedSinceEvent = (
event: number,
tagIds: ReadonlyArray<number>
): Effect.Effect<boolean, SqlError.SqlError, SqlClient.SqlClient> =>
Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
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
