/**
 * What still refers to a build (Koji's `build_references`): a build may be
 * deleted only when nothing does — no tag holds it, no other build's buildroot
 * installed its RPMs or archives, no image contains them — and no buildroot used
 * it recently.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Effect } from "effect"
import { BuildState } from "../domain/Enums.js"

/**
 * What still refers to a build (Koji's `build_references`): tags it is in, RPMs of other
 * builds' buildroots that installed its RPMs, archives containing it, and when a buildroot
 * last used it (epoch seconds).
 *
 * @since 0.1.0
 * @category models
 */
export interface References {
  readonly tags: ReadonlyArray<{ readonly tag_id: number; readonly name: string }>
  readonly rpms: ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly component_of: ReadonlyArray<number>
  readonly archives: ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly last_used: number | null
}

/**
 * Koji's `build_references`: tags first, then (unless `lazy` stops at the first kind found)
 * RPMs and archives of buildroots that used the build's, the images containing them, and the
 * last use in a buildroot. `limit` caps each list.
 *
 * @since 0.1.0
 * @category combinators
 */
export const references = (
  buildId: number,
  options: { readonly limit?: number | undefined; readonly lazy?: boolean | undefined } = {}
): Effect.Effect<References, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const limit = options.limit
    const lazy = options.lazy ?? false
    const cap = limit === undefined ? sql.literal("") : sql`LIMIT ${limit}`
    const empty: References = { tags: [], rpms: [], component_of: [], archives: [], last_used: null }
    const tags = yield* sql<{ tag_id: number; name: string }>`
      SELECT tag_listing.tag_id, tag.name FROM tag_listing JOIN tag ON tag.id = tag_listing.tag_id
       WHERE tag_listing.build_id = ${buildId} AND tag_listing.active IS TRUE ORDER BY tag_listing.tag_id`
    if (lazy && tags.length > 0) return { ...empty, tags }
    const rpms = yield* sql<Record<string, unknown>>`
      SELECT DISTINCT rpminfo.id, rpminfo.name, rpminfo.version, rpminfo.release, rpminfo.arch, rpminfo.build_id
        FROM buildroot_listing bl
        JOIN rpminfo ON rpminfo.buildroot_id = bl.buildroot_id
        JOIN build ON build.id = rpminfo.build_id
       WHERE bl.rpm_id IN (SELECT id FROM rpminfo WHERE build_id = ${buildId})
         AND build.state = ${BuildState.COMPLETE}
       ORDER BY rpminfo.id ${cap}`
    if (lazy && rpms.length > 0) return { ...empty, tags, rpms }
    const rpmComponents = yield* sql<{ archive_id: number }>`
      SELECT DISTINCT arc.archive_id FROM archive_rpm_components arc
        JOIN archiveinfo ON archiveinfo.id = arc.archive_id
        JOIN build ON build.id = archiveinfo.build_id
       WHERE arc.rpm_id IN (SELECT id FROM rpminfo WHERE build_id = ${buildId})
         AND build.state = ${BuildState.COMPLETE}
       ORDER BY arc.archive_id ${cap}`
    const componentOf = rpmComponents.map((r) => r.archive_id)
    if (lazy && componentOf.length > 0) return { ...empty, tags, rpms, component_of: componentOf }
    const archives = yield* sql<Record<string, unknown>>`
      SELECT DISTINCT archiveinfo.id, archiveinfo.type_id, archivetypes.name AS type_name,
             archiveinfo.build_id, archiveinfo.filename
        FROM buildroot_archives ba
        JOIN archiveinfo ON archiveinfo.buildroot_id = ba.buildroot_id
        JOIN build ON build.id = archiveinfo.build_id
        JOIN archivetypes ON archivetypes.id = archiveinfo.type_id
       WHERE ba.archive_id IN (SELECT id FROM archiveinfo WHERE build_id = ${buildId})
         AND build.state = ${BuildState.COMPLETE}
       ORDER BY archiveinfo.id ${cap}`
    if (lazy && archives.length > 0) return { ...empty, tags, rpms, component_of: componentOf, archives }
    const archiveComponents = yield* sql<{ archive_id: number }>`
      SELECT DISTINCT ac.archive_id FROM archive_components ac
        JOIN archiveinfo ON archiveinfo.id = ac.archive_id
        JOIN build ON build.id = archiveinfo.build_id
       WHERE ac.component_id IN (SELECT id FROM archiveinfo WHERE build_id = ${buildId})
         AND build.state = ${BuildState.COMPLETE}
       ORDER BY ac.archive_id ${cap}`
    componentOf.push(...archiveComponents.map((r) => r.archive_id))
    if (lazy && componentOf.length > 0) return { ...empty, tags, rpms, component_of: componentOf, archives }
    const [used] = yield* sql<{ ts: number | null }>`
      SELECT date_part('epoch', events.time) AS ts FROM events WHERE events.id = (
        SELECT max(sb.create_event) FROM standard_buildroot sb
         WHERE sb.buildroot_id IN (
           SELECT bl.buildroot_id FROM buildroot_listing bl
            WHERE bl.rpm_id IN (SELECT id FROM rpminfo WHERE build_id = ${buildId})
           UNION
           SELECT ba.buildroot_id FROM buildroot_archives ba
            WHERE ba.archive_id IN (SELECT id FROM archiveinfo WHERE build_id = ${buildId})))`
    return { tags, rpms, component_of: componentOf, archives, last_used: used?.ts === null || used?.ts === undefined ? null : Number(used.ts) }
  })
