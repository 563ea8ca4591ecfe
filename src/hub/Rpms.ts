/**
 * RPMs (reference 9): the `Rpms` service behind `getRPM`, `listRPMs` and
 * `listBuildRPMs`. RPMs are written with their build (`Builds.import`); this
 * service reads them.
 *
 * An N-V-R.A names one internal non-draft RPM, but draft RPMs and RPMs of external
 * repos may share it: `getRPM` then prefers, as Koji does, the internal non-draft
 * one, then the newest draft, then the newest external one (`multi` answers all).
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import * as Method from "../api/Method.js"
import type { RpmInfo } from "../api/Rpms.js"
import type { QueryOpts } from "../api/Users.js"
import { GenericError, type ParameterError } from "../domain/Errors.js"
import type { BuildId, BuildrootId, ExternalRepoId, RpmId } from "../domain/Ids.js"
import { Rpm, RpmListEntry } from "../domain/Rpm.js"
import { fromRow, parseExtra } from "./BuildRecords.js"
import * as Nvr from "./Nvr.js"
import * as QueryOpts_ from "./QueryOpts.js"

/**
 * Filters of `listRPMs` (Koji's names).
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  readonly buildID?: number | null | undefined
  readonly buildrootID?: number | null | undefined
  readonly imageID?: number | null | undefined
  readonly componentBuildrootID?: number | null | undefined
  readonly hostID?: number | null | undefined
  readonly arches?: string | ReadonlyArray<string> | null | undefined
  readonly draft?: boolean | null | undefined
  readonly queryOpts?: QueryOpts | null | undefined
}

type Failure = GenericError | SqlError.SqlError

/**
 * @since 0.1.0
 * @category tags
 */
export class Rpms extends Context.Tag("koji/hub/Rpms")<Rpms, {
  /** Koji's `get_rpm(info, strict=False)`: the preferred match, `undefined` when none. */
  readonly find: (info: RpmInfo) => Effect.Effect<Rpm | undefined, Failure>
  /** `get_rpm(info, strict=True)`: `GenericError: No such rpm: ...` when none. */
  readonly require: (info: RpmInfo) => Effect.Effect<Rpm, Failure>
  /** `get_rpm(info, multi=True)`: every match. */
  readonly findAll: (info: RpmInfo) => Effect.Effect<ReadonlyArray<Rpm>, Failure>
  /** `listRPMs`: the RPMs, or their number with `countOnly`. */
  readonly list: (options: ListOptions) => Effect.Effect<ReadonlyArray<RpmListEntry> | number, Failure | ParameterError>
}>() {}

/**
 * An `rpminfo` row as the RPM queries read it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RpmRow {
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
  readonly build_id: number | null
  readonly buildroot_id: number | null
  readonly external_repo_id: number
  readonly external_repo_name: string
  readonly metadata_only: boolean
  readonly extra: string | null
  readonly component_buildroot_id?: number
  readonly is_update?: boolean
}

const fields = (row: RpmRow) => ({
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
  build_id: row.build_id as BuildId | null,
  buildroot_id: row.buildroot_id as BuildrootId | null,
  external_repo_id: row.external_repo_id as ExternalRepoId,
  external_repo_name: row.external_repo_name,
  metadata_only: row.metadata_only,
  extra: parseExtra(row.extra)
})

const columns = `
  rpminfo.id, rpminfo.name, rpminfo.version, rpminfo.release, rpminfo.arch, rpminfo.epoch, rpminfo.draft,
  rpminfo.payloadhash, rpminfo.size, rpminfo.buildtime, rpminfo.build_id, rpminfo.buildroot_id,
  rpminfo.external_repo_id, external_repo.name AS external_repo_name, rpminfo.metadata_only, rpminfo.extra`

const listColumns: Readonly<Record<string, string>> = {
  id: "rpminfo.id",
  name: "rpminfo.name",
  version: "rpminfo.version",
  release: "rpminfo.release",
  nvr: "rpminfo.name || '-' || rpminfo.version || '-' || rpminfo.release",
  arch: "rpminfo.arch",
  epoch: "rpminfo.epoch",
  draft: "rpminfo.draft",
  payloadhash: "rpminfo.payloadhash",
  size: "rpminfo.size",
  buildtime: "rpminfo.buildtime",
  build_id: "rpminfo.build_id",
  buildroot_id: "rpminfo.buildroot_id",
  external_repo_id: "rpminfo.external_repo_id",
  external_repo_name: "external_repo.name",
  metadata_only: "rpminfo.metadata_only"
}

/**
 * The RPMs service on Koji's tables.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const findAll = (info: RpmInfo) =>
    Effect.gen(function*() {
      let clause: Statement.Fragment
      let location: string | null | undefined
      if (typeof info === "number") {
        clause = sql`rpminfo.id = ${info}`
      } else if (typeof info === "string" && /^[+-]?\d+$/.test(info.trim())) {
        // Python's int(str): an id given as a string
        clause = sql`rpminfo.id = ${Number(info.trim())}`
      } else {
        const nvra = typeof info === "string" ? yield* Nvr.parseNVRA(info) : info
        location = nvra.location
        clause = sql`rpminfo.name = ${nvra.name} AND rpminfo.version = ${nvra.version}
          AND rpminfo.release = ${nvra.release} AND rpminfo.arch = ${nvra.arch}`
      }
      if (location !== null && location !== undefined) {
        const [repo] = yield* sql<{ id: number }>`SELECT id FROM external_repo WHERE name = ${location}`
        if (repo === undefined) {
          return yield* new GenericError({ message: `No such entry in table external_repo: ${location}` })
        }
        clause = sql`${clause} AND rpminfo.external_repo_id = ${repo.id}`
      }
      const rows = yield* sql<RpmRow>`
        SELECT ${sql.literal(columns)} FROM rpminfo
          JOIN external_repo ON external_repo.id = rpminfo.external_repo_id
         WHERE ${clause} ORDER BY rpminfo.id`
      return rows.map((row) => fromRow(Rpm, fields(row)))
    })

  const describe = (info: RpmInfo) => {
    if (typeof info === "number") return Method.pythonRepr({ id: info })
    if (typeof info === "string") {
      if (/^[+-]?\d+$/.test(info.trim())) return Method.pythonRepr({ id: Number(info.trim()) })
      const parsed = Nvr.parseNVRA(info)
      if (parsed._tag === "Left") return Method.pythonRepr(info)
      // the dict parse_NVRA makes, in its key order
      const { arch, epoch, location, name, release, src, version } = parsed.right
      return Method.pythonRepr({ release, version, name, epoch, arch, src, ...(location ? { location } : {}) })
    }
    return Method.pythonRepr(info)
  }

  const find = (info: RpmInfo) =>
    Effect.gen(function*() {
      const rpms = yield* findAll(info)
      if (rpms.length <= 1) return rpms[0]
      let nondraft: Rpm | undefined
      let draft: Rpm | undefined
      let external: Rpm | undefined
      for (const rpm of rpms) {
        if (rpm.external_repo_id !== 0) {
          if (external === undefined || rpm.id > external.id) external = rpm
        } else if (rpm.draft) {
          if (draft === undefined || rpm.id > draft.id) draft = rpm
        } else if (nondraft !== undefined) {
          return yield* new GenericError({ message: `Multiple nondraft rpm matches for: ${describe(info)}` })
        } else {
          nondraft = rpm
        }
      }
      return nondraft ?? draft ?? external
    })

  const require = (info: RpmInfo) =>
    Effect.flatMap(find(info), (rpm) =>
      rpm === undefined
        ? Effect.fail(new GenericError({ message: `No such rpm: ${describe(info)}` }))
        : Effect.succeed(rpm))

  const list = (options: ListOptions) =>
    Effect.gen(function*() {
      const clauses: Array<Statement.Fragment> = []
      const joins: Array<Statement.Fragment> = [sql`LEFT JOIN external_repo ON external_repo.id = rpminfo.external_repo_id`]
      let extra: Statement.Fragment = sql.literal("")
      if (options.buildID !== null && options.buildID !== undefined) clauses.push(sql`rpminfo.build_id = ${options.buildID}`)
      if (options.buildrootID !== null && options.buildrootID !== undefined) {
        clauses.push(sql`rpminfo.buildroot_id = ${options.buildrootID}`)
      }
      if (options.componentBuildrootID !== null && options.componentBuildrootID !== undefined) {
        extra = sql`, buildroot_listing.buildroot_id AS component_buildroot_id, buildroot_listing.is_update`
        joins.push(sql`JOIN buildroot_listing ON buildroot_listing.rpm_id = rpminfo.id`)
        clauses.push(sql`buildroot_listing.buildroot_id = ${options.componentBuildrootID}`)
      }
      if (options.imageID !== null && options.imageID !== undefined) {
        joins.push(sql`JOIN archive_rpm_components ON archive_rpm_components.rpm_id = rpminfo.id`)
        clauses.push(sql`archive_rpm_components.archive_id = ${options.imageID}`)
      }
      if (options.hostID !== null && options.hostID !== undefined) {
        joins.push(sql`JOIN standard_buildroot ON standard_buildroot.buildroot_id = rpminfo.buildroot_id`)
        clauses.push(sql`standard_buildroot.host_id = ${options.hostID}`)
      }
      if (options.arches !== null && options.arches !== undefined) {
        if (typeof options.arches === "string") clauses.push(sql`rpminfo.arch = ${options.arches}`)
        else if (options.arches.length === 0) clauses.push(sql`FALSE`)
        else clauses.push(sql`rpminfo.arch IN ${sql.in(options.arches)}`)
      }
      if (options.draft !== null && options.draft !== undefined) {
        clauses.push(options.draft ? sql`rpminfo.draft IS TRUE` : sql`rpminfo.draft IS NOT TRUE`)
      }
      const from = sql.join(" ", false)(joins)
      const where = clauses.length === 0 ? sql`TRUE` : sql.and(clauses)
      const rows = yield* QueryOpts_.run(sql, options.queryOpts, {
        columns: listColumns,
        tiebreak: "rpminfo.id",
        from: sql`SELECT 1 FROM rpminfo ${from} WHERE ${where}`,
        select: (order, window) =>
          sql<RpmRow>`
            SELECT ${sql.literal(columns)} ${extra} FROM rpminfo ${from} WHERE ${where} ORDER BY ${order} ${window}`
      })
      if (typeof rows === "number") return rows
      return rows.map((row) =>
        fromRow(RpmListEntry, {
          ...fields(row),
          nvr: Nvr.formatNVR(row),
          ...(row.component_buildroot_id !== undefined
            ? { component_buildroot_id: row.component_buildroot_id as BuildrootId, is_update: row.is_update ?? false }
            : {})
        })
      )
    })

  return Rpms.of({ find, require, findAll, list })
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Rpms, never, SqlClient.SqlClient> = Layer.effect(Rpms, make)
