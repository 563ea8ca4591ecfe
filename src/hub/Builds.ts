/**
 * Builds (reference 9): the `Builds` service behind the Builds handlers, the
 * tagging code and the build pipeline.
 *
 * A build is one N-V-R of a package, unique regardless of epoch. It enters
 * through `import` — the one path that makes a build row (and its RPM rows, in
 * the same transaction): `createEmptyBuild` uses it with no RPMs, the builder's
 * `host.initBuild`/`host.completeBuild` and RPM imports will use it with a state
 * and RPMs. An existing FAILED or CANCELED N-V-R with no tag history, RPMs or
 * archives is recycled, as Koji does.
 *
 * State changes: `cancel` (BUILDING -> CANCELED), `delete` (-> DELETED when
 * unreferenced; the N-V-R stays taken), `reset` (admin: content dropped,
 * CANCELED). Each is published on the event stream (`build.state`).
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Context, Effect, Layer, Option } from "effect"
import type { BuildInfo } from "../api/Builds.js"
import * as Method from "../api/Method.js"
import type { QueryOpts, UserInfo } from "../api/Users.js"
import type { Build, BuildListEntry } from "../domain/Build.js"
import { BuildState } from "../domain/Enums.js"
import { BuildError, GenericError, type ParameterError } from "../domain/Errors.js"
import type { Extra } from "../domain/Extra.js"
import * as Database from "../db/Database.js"
import * as BuildReferences from "./BuildReferences.js"
import { buildColumns, buildJoins, type BuildRow, globToLike, timeValue, toBuild, toBuildListEntry } from "./BuildRecords.js"
import * as EventStream from "./EventStream.js"
import { pythonJson } from "./Lookup.js"
import * as Nvr from "./Nvr.js"
import { Policy } from "./Policy.js"
import * as QueryOpts_ from "./QueryOpts.js"
import { layer as usersLayer, Users, verifyInternalName } from "./Users.js"
import * as Versioned from "./Versioned.js"

/**
 * One RPM of an import (a row of `rpminfo`). `payloadhash` is the header's sigmd5 in hex.
 *
 * @since 0.1.0
 * @category models
 */
export interface RpmImport {
  readonly name: string
  readonly version: string
  readonly release: string
  readonly epoch: number | null
  readonly arch: string
  readonly payloadhash: string
  readonly size: number
  readonly buildtime: number
  readonly buildrootId?: number | null | undefined
  readonly metadataOnly?: boolean | undefined
  readonly extra?: Extra | null | undefined
}

/**
 * What `import` makes: Koji's `new_build` data (the package by name, created when new), with
 * Koji's defaults (state COMPLETE, start and completion now, owner the actor, volume DEFAULT),
 * and the RPMs to record with it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ImportSpec {
  readonly name: string
  readonly version: string
  readonly release: string
  readonly epoch: number | null
  /** Default: the actor. */
  readonly owner?: UserInfo | null | undefined
  /** A draft's release gets `,draft_<id>` appended. */
  readonly draft?: boolean | undefined
  /** Default COMPLETE; BUILDING leaves `completion_time` empty. */
  readonly state?: BuildState | undefined
  readonly taskId?: number | null | undefined
  readonly source?: string | null | undefined
  readonly extra?: Extra | null | undefined
  readonly volumeId?: number | undefined
  readonly cgId?: number | null | undefined
  /** Epoch seconds; default now. */
  readonly startTime?: number | null | undefined
  /** Epoch seconds; default now (none while BUILDING). */
  readonly completionTime?: number | null | undefined
  /** Refuse an existing N-V-R instead of recycling it. */
  readonly strict?: boolean | undefined
  readonly rpms?: ReadonlyArray<RpmImport> | undefined
}

/**
 * Filters of `listBuilds` (Koji's names).
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  readonly packageID?: number | string | null | undefined
  readonly userID?: UserInfo | null | undefined
  readonly taskID?: number | null | undefined
  readonly prefix?: string | null | undefined
  readonly state?: number | null | undefined
  readonly volumeID?: number | null | undefined
  readonly source?: string | null | undefined
  readonly createdBefore?: number | string | null | undefined
  readonly createdAfter?: number | string | null | undefined
  readonly completeBefore?: number | string | null | undefined
  readonly completeAfter?: number | string | null | undefined
  readonly promotedBefore?: number | string | null | undefined
  readonly promotedAfter?: number | string | null | undefined
  readonly promoter?: UserInfo | null | undefined
  readonly type?: string | null | undefined
  readonly typeInfo?: Readonly<Record<string, unknown>> | null | undefined
  readonly pattern?: string | null | undefined
  readonly cgID?: number | string | null | undefined
  readonly draft?: boolean | null | undefined
  readonly queryOpts?: QueryOpts | null | undefined
}

type Failure = GenericError | SqlError.SqlError

/**
 * @since 0.1.0
 * @category tags
 */
export class Builds extends Context.Tag("koji/hub/Builds")<Builds, {
  /** Koji's `find_build_id`: the id of a build by id, N-V-R or map; `undefined` when unknown (an id is not checked). */
  readonly findId: (info: BuildInfo) => Effect.Effect<number | undefined, Failure>
  /** Koji's `get_build`: `undefined` when unknown (a bad N-V-R string still fails). */
  readonly find: (info: BuildInfo) => Effect.Effect<Build | undefined, Failure>
  /** `get_build(..., strict=True)`: `GenericError: No such build: ...` when unknown. */
  readonly require: (info: BuildInfo) => Effect.Effect<Build, Failure>
  /** `listBuilds`: the builds, or their number with `countOnly`. */
  readonly list: (options: ListOptions) => Effect.Effect<ReadonlyArray<BuildListEntry> | number, Failure | ParameterError>
  /** `getNextRelease`. */
  readonly nextRelease: (
    info: { readonly name: string; readonly version: string },
    incr: number
  ) => Effect.Effect<string, Failure | BuildError>
  /** Make a build (and its RPMs) in one transaction; answers its id. */
  readonly import: (spec: ImportSpec, actorId: number) => Effect.Effect<number, Failure>
  /** `createEmptyBuild`: a COMPLETE build with no content. */
  readonly createEmpty: (
    spec: {
      readonly name: string
      readonly version: string
      readonly release: string
      readonly epoch: number | null
      readonly owner?: UserInfo | null | undefined
      readonly draft?: boolean | undefined
    },
    actorId: number
  ) => Effect.Effect<number, Failure>
  /** Koji's `build_references`. */
  readonly references: (
    buildId: number,
    options?: { readonly limit?: number | undefined; readonly lazy?: boolean | undefined }
  ) => Effect.Effect<BuildReferences.References, SqlError.SqlError>
  /**
   * `deleteBuild`: DELETED when unreferenced (tag listings revoked, signatures dropped);
   * `null` when already deleted, `false` (or an error when `strict`) when referenced.
   */
  readonly delete: (
    info: BuildInfo,
    options: { readonly strict: boolean; readonly minRefAge: number },
    actorId: number
  ) => Effect.Effect<boolean | null, Failure>
  /** Koji's `cancel_build`: BUILDING to CANCELED (completion time now); answers whether it changed. */
  readonly cancel: (buildId: number) => Effect.Effect<boolean, Failure>
  /** `resetBuild`: content dropped, CANCELED, no task, DEFAULT volume; nothing when unknown. */
  readonly reset: (info: BuildInfo) => Effect.Effect<void, Failure>
  /** The package id of a name, made when `create` and new (Koji's `new_package(strict=False)`). */
  readonly packageId: (name: string, create: boolean) => Effect.Effect<number | undefined, Failure>
}>() {}

const listColumns: Readonly<Record<string, string>> = {
  build_id: "build.id",
  id: "build.id",
  version: "build.version",
  release: "build.release",
  epoch: "build.epoch",
  draft: "build.draft",
  state: "build.state",
  completion_time: "build.completion_time",
  completion_ts: "build.completion_time",
  promotion_time: "build.promotion_time",
  promotion_ts: "build.promotion_time",
  start_time: "build.start_time",
  start_ts: "build.start_time",
  source: "build.source",
  creation_event_id: "events.id",
  creation_time: "events.time",
  creation_ts: "events.time",
  task_id: "build.task_id",
  package_id: "package.id",
  package_name: "package.name",
  name: "package.name",
  volume_id: "volume.id",
  volume_name: "volume.name",
  nvr: "package.name || '-' || build.version || '-' || build.release",
  owner_id: "users.id",
  owner_name: "users.name",
  promoter_id: "promoter.id",
  promoter_name: "promoter.name"
}

// Koji's release increments: N, N.dist, A.B.N
const incrementRelease = (release: string | undefined, incr: number): string | undefined => {
  if (!release) return String(incr)
  if (/^\d+$/.test(release)) return String(Number(release) + incr)
  const parts = release.split(".")
  if (parts.length === 2 && /^\d+$/.test(parts[0]!)) return [String(Number(parts[0]) + incr), parts[1]].join(".")
  if (parts.length === 3 && /^\d+$/.test(parts[2]!)) return [parts[0], parts[1], String(Number(parts[2]) + incr)].join(".")
  return undefined
}

/**
 * The builds service on Koji's tables.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const users = yield* Users
  const policy = yield* Effect.serviceOption(Policy)
  const withSql = Database.withSql(sql)
  const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>) => withSql(sql.withTransaction(effect))
  const columns = sql.literal(buildColumns)
  const joins = sql.literal(buildJoins)

  const findId = (info: BuildInfo) =>
    Effect.gen(function*() {
      if (typeof info === "number") return info
      const nvr = typeof info === "string" ? yield* Nvr.parseNVR(info) : info
      const rows = yield* sql<{ id: number }>`
        SELECT build.id FROM build JOIN package ON build.pkg_id = package.id
         WHERE package.name = ${nvr.name} AND build.version = ${nvr.version} AND build.release = ${nvr.release}`
      return rows[0]?.id
    })

  const byId = (id: number) =>
    Effect.map(
      sql<BuildRow>`SELECT ${columns} FROM build ${joins} WHERE build.id = ${id}`,
      (rows) => rows[0] === undefined ? undefined : toBuild(rows[0])
    )

  const find = (info: BuildInfo) =>
    Effect.flatMap(findId(info), (id) => id === undefined ? Effect.succeed(undefined) : byId(id))

  const require = (info: BuildInfo) =>
    Effect.gen(function*() {
      const id = yield* findId(info)
      const build = id === undefined ? undefined : yield* byId(id)
      if (build !== undefined) return build
      // Koji's two messages: find_build_id says %r of the argument, get_build %s of it
      return yield* new GenericError({
        message: id === undefined ? `No such build: ${Method.pythonRepr(info)}` : `No such build: ${String(info)}`
      })
    })

  const packageId = (name: string, create: boolean) =>
    Effect.gen(function*() {
      const [row] = yield* sql<{ id: number }>`SELECT id FROM package WHERE name = ${name}`
      if (row !== undefined || !create) return row?.id
      yield* verifyInternalName(name)
      const [made] = yield* sql<{ id: number }>`INSERT INTO package (name) VALUES (${name}) RETURNING id`
      return made!.id
    })

  const list = (options: ListOptions) =>
    Effect.gen(function*() {
      const clauses: Array<Statement.Fragment> = []
      let extraJoins: Statement.Fragment = sql.literal("")
      if (options.packageID !== null && options.packageID !== undefined) {
        const id = typeof options.packageID === "number"
          ? (yield* sql<{ id: number }>`SELECT id FROM package WHERE id = ${options.packageID}`)[0]?.id
          : yield* packageId(options.packageID, false)
        if (id === undefined) return []
        clauses.push(sql`package.id = ${id}`)
      }
      if (options.userID !== null && options.userID !== undefined) {
        const user = yield* users.find(options.userID)
        if (user === undefined) return []
        clauses.push(sql`users.id = ${user.id}`)
      }
      if (options.promoter !== null && options.promoter !== undefined) {
        const user = yield* users.find(options.promoter)
        if (user === undefined) return []
        clauses.push(sql`build.promoter = ${user.id}`)
      }
      if (options.volumeID !== null && options.volumeID !== undefined) clauses.push(sql`volume.id = ${options.volumeID}`)
      if (options.taskID !== null && options.taskID !== undefined) {
        clauses.push(options.taskID === -1 ? sql`build.task_id IS NOT NULL` : sql`build.task_id = ${options.taskID}`)
      }
      if (options.source !== null && options.source !== undefined) {
        clauses.push(sql`build.source ILIKE ${globToLike(options.source)}`)
      }
      if (options.prefix) clauses.push(sql`package.name ILIKE ${options.prefix} || '%'`)
      if (options.pattern) {
        clauses.push(sql`package.name || '-' || build.version || '-' || build.release ILIKE ${globToLike(options.pattern)}`)
      }
      if (options.state !== null && options.state !== undefined) clauses.push(sql`build.state = ${options.state}`)
      const times = [
        [options.createdBefore, "events.time", "<"],
        [options.createdAfter, "events.time", ">"],
        [options.completeBefore, "build.completion_time", "<"],
        [options.completeAfter, "build.completion_time", ">"],
        [options.promotedBefore, "build.promotion_time", "<"],
        [options.promotedAfter, "build.promotion_time", ">"]
      ] as const
      for (const [value, column, op] of times) {
        if (value) clauses.push(sql`${sql.literal(column)} ${sql.literal(op)} ${timeValue(sql, value)}`)
      }
      if (options.cgID) {
        const [cg] = typeof options.cgID === "number"
          ? yield* sql<{ id: number }>`SELECT id FROM content_generator WHERE id = ${options.cgID}`
          : yield* sql<{ id: number }>`SELECT id FROM content_generator WHERE name = ${options.cgID}`
        if (cg === undefined) return []
        clauses.push(sql`build.cg_id = ${cg.id}`)
      }
      if (options.type !== null && options.type !== undefined) {
        const typeInfo = options.typeInfo ?? {}
        if (options.type === "maven") {
          extraJoins = sql`JOIN maven_builds ON maven_builds.build_id = build.id`
          for (const key of ["group_id", "artifact_id", "version"] as const) {
            if (key in typeInfo) clauses.push(sql`${sql(`maven_builds.${key}`)} = ${String(typeInfo[key])}`)
          }
        } else if (options.type === "win") {
          extraJoins = sql`JOIN win_builds ON win_builds.build_id = build.id`
          if (options.typeInfo) clauses.push(sql`win_builds.platform = ${String(typeInfo["platform"])}`)
        } else if (options.type === "image") {
          extraJoins = sql`JOIN image_builds ON image_builds.build_id = build.id`
        } else {
          const [btype] = yield* sql<{ id: number }>`SELECT id FROM btype WHERE name = ${options.type}`
          if (btype === undefined) return yield* new GenericError({ message: `unsupported build type: ${options.type}` })
          extraJoins = sql`JOIN build_types ON build_types.build_id = build.id AND build_types.btype_id = ${btype.id}`
        }
      }
      if (options.draft !== null && options.draft !== undefined) {
        clauses.push(options.draft ? sql`build.draft IS TRUE` : sql`build.draft IS NOT TRUE`)
      }
      const where = clauses.length === 0 ? sql`TRUE` : sql.and(clauses)
      const rows = yield* QueryOpts_.run(sql, options.queryOpts, {
        columns: listColumns,
        tiebreak: "build.id",
        from: sql`SELECT 1 FROM build ${joins} ${extraJoins} WHERE ${where}`,
        select: (order, window) =>
          sql<BuildRow>`SELECT ${columns} FROM build ${joins} ${extraJoins} WHERE ${where} ORDER BY ${order} ${window}`
      })
      return typeof rows === "number" ? rows : rows.map(toBuildListEntry)
    })

  const nextRelease: Builds["Type"]["nextRelease"] = (info, incr) =>
    Effect.gen(function*() {
      const [row] = yield* sql<{ release: string }>`
        SELECT build.release FROM build JOIN package ON build.pkg_id = package.id
         WHERE package.name = ${info.name} AND build.version = ${info.version}
           AND build.state IN ${sql.in([BuildState.COMPLETE, BuildState.DELETED, BuildState.BUILDING])}
           AND NOT build.draft
         ORDER BY build.id DESC LIMIT 1`
      const next = incrementRelease(row?.release, incr)
      if (next === undefined) {
        return yield* new BuildError({ message: `Unable to increment release value: ${row!.release}` })
      }
      return next
    })

  // Koji's recycle_build: an existing N-V-R may be reused only when it failed or was canceled and
  // left nothing behind
  const recycle = (
    old: Build,
    spec: ImportSpec,
    values: Record<string, unknown>,
    times: Statement.Fragment
  ) =>
    Effect.gen(function*() {
      const state = BuildState.name(old.state)
      if (old.state === BuildState.BUILDING) {
        if (values["state"] === old.state && values["task_id"] === old.task_id) return
        return yield* new GenericError({ message: `Build already in progress (task ${old.task_id})` })
      }
      if (state !== "FAILED" && state !== "CANCELED") {
        return yield* new GenericError({
          message: `Build already exists (id=${old.id}, state=${state}): ${Method.pythonRepr(spec)}`
        })
      }
      const checks = [
        [sql`SELECT 1 FROM tag_listing WHERE build_id = ${old.id} LIMIT 1`, "has tag history"],
        [sql`SELECT 1 FROM rpminfo WHERE build_id = ${old.id} LIMIT 1`, "has rpm data"],
        [sql`SELECT 1 FROM archiveinfo WHERE build_id = ${old.id} LIMIT 1`, "has archive data"]
      ] as const
      for (const [query, why] of checks) {
        if ((yield* query).length > 0) {
          return yield* new GenericError({ message: `Build already exists. Unable to recycle, ${why}` })
        }
      }
      for (const table of ["maven_builds", "win_builds", "image_builds", "build_types"]) {
        yield* sql`DELETE FROM ${sql(table)} WHERE build_id = ${old.id}`
      }
      const event = yield* Versioned.eventId
      const { draft: _draft, pkg_id: _pkg, release: _release, version: _version, ...changes } = values
      yield* sql`UPDATE build SET ${sql.update({ ...changes, create_event: event } as any)}, ${times} WHERE id = ${old.id}`
    })

  const insertRpms = (buildId: number, draft: boolean, rpms: ReadonlyArray<RpmImport>) =>
    Effect.gen(function*() {
      if (rpms.length === 0) return
      for (const rpm of rpms) {
        yield* Nvr.checkNVRA(rpm)
        if (!draft) {
          const [clash] = yield* sql<{ id: number }>`
            SELECT id FROM rpminfo WHERE name = ${rpm.name} AND version = ${rpm.version} AND release = ${rpm.release}
               AND arch = ${rpm.arch} AND external_repo_id = 0 AND draft IS NOT TRUE`
          if (clash !== undefined) {
            return yield* new GenericError({ message: `Rpm already exists: ${Nvr.formatNVRA(rpm)} (id=${clash.id})` })
          }
        }
      }
      yield* sql`INSERT INTO rpminfo ${
        sql.insert(rpms.map((rpm) => ({
          build_id: buildId,
          buildroot_id: rpm.buildrootId ?? null,
          name: rpm.name,
          version: rpm.version,
          release: rpm.release,
          epoch: rpm.epoch,
          arch: rpm.arch,
          draft,
          external_repo_id: 0,
          payloadhash: rpm.payloadhash,
          size: rpm.size,
          buildtime: rpm.buildtime,
          metadata_only: rpm.metadataOnly ?? false,
          extra: rpm.extra === null || rpm.extra === undefined ? null : pythonJson(rpm.extra)
        })) as any)
      }`
      // the build is of type rpm (harmless when it already is)
      yield* sql`
        INSERT INTO build_types (build_id, btype_id)
        SELECT ${buildId}, btype.id FROM btype WHERE btype.name = 'rpm'
        ON CONFLICT DO NOTHING`
    })

  // Koji's apply_volume_policy: the `volume` policy names the volume of a new build (default: DEFAULT)
  const applyVolumePolicy = (buildId: number) =>
    Option.isNone(policy) ? Effect.void : Effect.gen(function*() {
      const verdict = yield* policy.value.apply("volume", { build: buildId })
      const name = verdict.action?.trim()
      if (name === undefined || name === "" || name === "DEFAULT") return
      const [volume] = yield* sql<{ id: number }>`SELECT id FROM volume WHERE name = ${name}`
      if (volume === undefined) return yield* new GenericError({ message: `Policy returned invalid volume: ${name}` })
      yield* sql`UPDATE build SET volume_id = ${volume.id} WHERE id = ${buildId}`
    })

  const importBuild: Builds["Type"]["import"] = (spec, actorId) =>
    transaction(Effect.gen(function*() {
      const state = spec.state ?? BuildState.COMPLETE
      const draft = spec.draft ?? false
      if (!spec.name) return yield* new GenericError({ message: "No name or package id provided for build" })
      yield* Nvr.checkNVR(spec)
      const owner = spec.owner === null || spec.owner === undefined ? actorId : (yield* users.require(spec.owner)).id
      const pkgId = (yield* packageId(spec.name, true))!
      const startTime = spec.startTime ?? null
      const completionTime = spec.completionTime ?? null
      const values: Record<string, unknown> = {
        pkg_id: pkgId,
        version: spec.version,
        release: spec.release,
        epoch: spec.epoch,
        draft,
        state,
        volume_id: spec.volumeId ?? 0,
        task_id: spec.taskId ?? null,
        owner,
        source: spec.source ?? null,
        extra: spec.extra === null || spec.extra === undefined ? null : pythonJson(spec.extra),
        ...(spec.cgId !== undefined ? { cg_id: spec.cgId } : {})
      }
      const now = sql`now()`
      const start = startTime === null ? now : sql`to_timestamp(${startTime}::float8)`
      const completion = state === BuildState.BUILDING && completionTime === null
        ? sql`NULL`
        : completionTime === null
        ? now
        : sql`to_timestamp(${completionTime}::float8)`
      const old = yield* find({ name: spec.name, version: spec.version, release: spec.release })
      if (old !== undefined) {
        const oldText = `${old.nvr} (id=${old.id})`
        if (draft) return yield* new GenericError({ message: `Target build already exists: ${oldText}` })
        if (spec.strict) return yield* new GenericError({ message: `Existing build found: ${oldText}` })
        yield* recycle(old, spec, values, sql`start_time = ${start}, completion_time = ${completion}`)
        yield* insertRpms(old.id, old.draft, spec.rpms ?? [])
        yield* EventStream.publish({
          kind: "build.state",
          build_id: old.id,
          task_id: spec.taskId ?? null,
          data: { old: old.state, new: state, nvr: old.nvr }
        })
        return old.id
      }
      const [{ id }] = (yield* sql<{ id: number }>`SELECT nextval(pg_get_serial_sequence('build', 'id'))::int AS id`) as [
        { id: number }
      ]
      const release = draft ? `${spec.release},draft_${id}` : spec.release
      if (draft && (yield* findId({ name: spec.name, version: spec.version, release })) !== undefined) {
        return yield* new GenericError({
          message: `The build already exists: ${Method.pythonRepr({ name: spec.name, version: spec.version, release })}`
        })
      }
      const event = yield* Versioned.eventId
      const row: Record<string, unknown> = { ...values, id, release, create_event: event }
      const names = Object.keys(row)
      yield* sql`
        INSERT INTO build (${sql.literal(names.join(", "))}, start_time, completion_time)
        VALUES (${sql.csv(names.map((k) => sql`${row[k] as any}`))}, ${start}, ${completion})`
      yield* insertRpms(id, draft, spec.rpms ?? [])
      if (spec.volumeId === undefined) yield* applyVolumePolicy(id)
      yield* EventStream.publish({
        kind: "build.state",
        build_id: id,
        task_id: spec.taskId ?? null,
        data: { old: null, new: state, nvr: Nvr.formatNVR({ name: spec.name, version: spec.version, release }) }
      })
      return id
    }))

  const createEmpty: Builds["Type"]["createEmpty"] = (spec, actorId) => importBuild(spec, actorId)

  const references: Builds["Type"]["references"] = (buildId, options) =>
    withSql(BuildReferences.references(buildId, options))

  const setState = (build: Build, state: BuildState, data: Readonly<Record<string, unknown>> = {}) =>
    EventStream.publish({
      kind: "build.state",
      build_id: build.id,
      task_id: build.task_id,
      data: { old: build.state, new: state, nvr: build.nvr, ...data }
    })

  const del: Builds["Type"]["delete"] = (info, options, actorId) =>
    transaction(Effect.gen(function*() {
      const build = yield* require(info)
      if (build.state === BuildState.DELETED) return null
      const refs = yield* references(build.id, { limit: 10, lazy: true })
      const refuse = (message: string) => options.strict ? Effect.fail(new GenericError({ message })) : Effect.succeed(false)
      if (refs.tags.length > 0) return yield* refuse(`Cannot delete build, tagged: ${Method.pythonRepr(refs.tags)}`)
      if (refs.rpms.length > 0) {
        return yield* refuse(`Cannot delete build, used in buildroots: ${Method.pythonRepr(refs.rpms)}`)
      }
      if (refs.archives.length > 0) {
        return yield* refuse(`Cannot delete build, used in archive buildroots: ${Method.pythonRepr(refs.archives)}`)
      }
      if (refs.component_of.length > 0) {
        return yield* refuse(`Cannot delete build, used as component of: ${Method.pythonRepr(refs.component_of)}`)
      }
      if (refs.last_used !== null && Date.now() / 1000 - refs.last_used < options.minRefAge) {
        return yield* refuse("Cannot delete build, used in recent buildroot")
      }
      yield* sql`DELETE FROM rpmsigs WHERE rpm_id IN (SELECT id FROM rpminfo WHERE build_id = ${build.id})`
      yield* sql`DELETE FROM rpm_checksum WHERE rpm_id IN (SELECT id FROM rpminfo WHERE build_id = ${build.id})`
      yield* Versioned.revoke("tag_listing", { build_id: build.id }, actorId)
      yield* sql`UPDATE build SET state = ${BuildState.DELETED} WHERE id = ${build.id}`
      yield* setState(build, BuildState.DELETED)
      return true
    }))

  const cancel: Builds["Type"]["cancel"] = (buildId) =>
    transaction(Effect.gen(function*() {
      const build = yield* require(buildId)
      if (build.state !== BuildState.BUILDING) return false
      const rows = yield* sql`
        UPDATE build SET state = ${BuildState.CANCELED}, completion_time = now()
         WHERE id = ${build.id} AND state = ${BuildState.BUILDING} RETURNING id`
      if (rows.length === 0) return false
      yield* sql`DELETE FROM build_reservations WHERE build_id = ${build.id}`
      yield* setState(build, BuildState.CANCELED)
      return true
    }))

  const reset: Builds["Type"]["reset"] = (info) =>
    transaction(Effect.gen(function*() {
      const build = yield* find(info)
      if (build === undefined) return
      const rpmIds = sql`SELECT id FROM rpminfo WHERE build_id = ${build.id}`
      const archiveIds = sql`SELECT id FROM archiveinfo WHERE build_id = ${build.id}`
      for (const table of ["rpmsigs", "buildroot_listing", "archive_rpm_components", "rpm_checksum"]) {
        yield* sql`DELETE FROM ${sql(table)} WHERE rpm_id IN (${rpmIds})`
      }
      yield* sql`DELETE FROM rpminfo WHERE build_id = ${build.id}`
      for (const table of ["maven_archives", "win_archives", "image_archives", "buildroot_archives", "archive_rpm_components"]) {
        yield* sql`DELETE FROM ${sql(table)} WHERE archive_id IN (${archiveIds})`
      }
      yield* sql`DELETE FROM archive_components WHERE archive_id IN (${archiveIds}) OR component_id IN (${archiveIds})`
      yield* sql`DELETE FROM archiveinfo WHERE build_id = ${build.id}`
      for (const table of ["maven_builds", "win_builds", "image_builds", "build_types", "tag_listing"]) {
        yield* sql`DELETE FROM ${sql(table)} WHERE build_id = ${build.id}`
      }
      yield* sql`UPDATE build SET state = ${BuildState.CANCELED}, task_id = NULL, volume_id = 0 WHERE id = ${build.id}`
      yield* setState(build, BuildState.CANCELED, { reset: true })
    }))

  return Builds.of({
    findId,
    find,
    require,
    list,
    nextRelease,
    import: importBuild,
    createEmpty,
    references,
    delete: del,
    cancel,
    reset,
    packageId
  })
})

/**
 * The service alone (needs `Users`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutUsers: Layer.Layer<Builds, never, SqlClient.SqlClient | Users> = Layer.effect(Builds, make)

/**
 * The service with the `Users` service it uses.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Builds, never, SqlClient.SqlClient> = layerWithoutUsers.pipe(Layer.provide(usersLayer))
