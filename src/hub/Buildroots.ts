/**
 * Buildroots (reference 10): the `Buildroots` service behind the builder's `host.newBuildRoot`,
 * `host.setBuildRootState`, `host.setBuildRootList` and `host.updateBuildRootList`, and the
 * queries `listBuildroots`, `getBuildroot` and `getBuildrootListing`.
 *
 * A STANDARD buildroot is made by a host in state INIT, optionally for one of its OPEN tasks and
 * from a repo (beyond Koji: the repo may be absent); only that host (and, when a task is named,
 * only that task) may change it. Its installed-package list is set once while INIT and added to
 * (`is_update`) while BUILDING; EXPIRED is final and sets `retire_event` (expiring twice is a
 * no-op). Packages are recorded by their `rpminfo` row: an internal RPM must be known (Koji's
 * `get_rpm(strict=True)`: `No such rpm: ...`), an RPM of an external repo (with `location`) is
 * added to `rpminfo` when new.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import type { BuildrootListingEntry, BuildrootRpm } from "../api/Buildroots.js"
import * as Method from "../api/Method.js"
import type { QueryOpts } from "../api/Users.js"
import { Buildroot } from "../domain/Buildroot.js"
import { BrState, BrType, TaskState } from "../domain/Enums.js"
import { ActionNotAllowed, GenericError, ParameterError } from "../domain/Errors.js"
import type {
  BuildId,
  BuildrootId,
  ContentGeneratorId,
  EventId,
  ExternalRepoId,
  HostId,
  RepoId,
  RpmId,
  TagId,
  TaskId
} from "../domain/Ids.js"
import type { RepoState } from "../domain/Enums.js"
import * as Database from "../db/Database.js"
import { fromRow, parseExtra, timestampOf } from "./BuildRecords.js"
import { archPattern } from "./Hosts.js"
import * as QueryOpts_ from "./QueryOpts.js"
import { layer as rpmsLayer, Rpms } from "./Rpms.js"
import * as Versioned from "./Versioned.js"

/**
 * Filters of `listBuildroots` (Koji's names).
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  readonly hostID?: number | null | undefined
  readonly tagID?: number | null | undefined
  readonly state?: number | ReadonlyArray<number> | null | undefined
  readonly rpmID?: number | null | undefined
  readonly archiveID?: number | null | undefined
  readonly taskID?: number | null | undefined
  readonly buildrootID?: number | ReadonlyArray<number> | null | undefined
  readonly repoID?: number | null | undefined
  readonly queryOpts?: QueryOpts | null | undefined
}

type Failure = GenericError | ActionNotAllowed | ParameterError | SqlError.SqlError

/**
 * @since 0.1.0
 * @category tags
 */
export class Buildroots extends Context.Tag("koji/hub/Buildroots")<Buildroots, {
  /** `host.newBuildRoot`: a STANDARD buildroot of the host in state INIT; answers its id. */
  readonly create: (
    hostId: number,
    options: { readonly repo: number | null; readonly arch: string; readonly taskId: number | null }
  ) => Effect.Effect<number, Failure>
  /** `host.setBuildRootState` (state by name or number). */
  readonly setState: (
    hostId: number,
    brootId: number,
    state: number | string,
    taskId: number | null
  ) => Effect.Effect<void, Failure>
  /** `host.setBuildRootList` (`update` false: INIT only) and `host.updateBuildRootList` (`update` true: BUILDING only). */
  readonly setList: (
    hostId: number,
    brootId: number,
    rpms: ReadonlyArray<BuildrootRpm>,
    taskId: number | null,
    update: boolean
  ) => Effect.Effect<void, Failure>
  /** `getBuildroot(id)`: undefined when there is none. */
  readonly find: (id: number) => Effect.Effect<Buildroot | undefined, Failure>
  /** `listBuildroots`: the buildroots, or their number with `countOnly`. */
  readonly list: (options: ListOptions) => Effect.Effect<ReadonlyArray<Buildroot> | number, Failure>
  /** `getBuildrootListing`: what was installed in a buildroot. */
  readonly listing: (id: number) => Effect.Effect<ReadonlyArray<BuildrootListingEntry>, Failure>
}>() {}

interface BuildrootRow {
  readonly id: number
  readonly br_type: number
  readonly cg_id: number | null
  readonly cg_name: string | null
  readonly cg_version: string | null
  readonly container_type: string | null
  readonly container_arch: string | null
  readonly host_os: string | null
  readonly host_arch: string | null
  readonly extra: string | null
  readonly state: number | null
  readonly task_id: number | null
  readonly host_id: number | null
  readonly host_name: string | null
  readonly repo_id: number | null
  readonly repo_state: number | null
  readonly tag_id: number | null
  readonly tag_name: string | null
  readonly create_event_id: number | null
  readonly create_ts: number | string | null
  readonly retire_event_id: number | null
  readonly retire_ts: number | string | null
  readonly repo_create_event_id: number | null
  readonly repo_create_ts: number | string | null
}

// Koji's query_buildroots fields: alias -> SQL (also the terms queryOpts.order may name)
const fieldColumns: Readonly<Record<string, string>> = {
  id: "buildroot.id",
  br_type: "buildroot.br_type",
  cg_id: "buildroot.cg_id",
  cg_name: "content_generator.name",
  cg_version: "buildroot.cg_version",
  container_arch: "buildroot.container_arch",
  arch: "buildroot.container_arch",
  container_type: "buildroot.container_type",
  host_os: "buildroot.host_os",
  host_arch: "buildroot.host_arch",
  extra: "buildroot.extra",
  state: "standard_buildroot.state",
  task_id: "standard_buildroot.task_id",
  host_id: "host.id",
  host_name: "host.name",
  repo_id: "repo.id",
  repo_state: "repo.state",
  tag_id: "tag.id",
  tag_name: "tag.name",
  create_event_id: "create_events.id",
  create_event_time: "create_events.time",
  create_ts: "create_events.time",
  retire_event_id: "retire_events.id",
  retire_event_time: "retire_events.time",
  retire_ts: "retire_events.time",
  repo_create_event_id: "repo_create.id",
  repo_create_event_time: "repo_create.time"
}

const selectColumns = `
  buildroot.id, buildroot.br_type, buildroot.cg_id, content_generator.name AS cg_name, buildroot.cg_version,
  buildroot.container_type, buildroot.container_arch, buildroot.host_os, buildroot.host_arch, buildroot.extra,
  standard_buildroot.state, standard_buildroot.task_id, host.id AS host_id, host.name AS host_name,
  repo.id AS repo_id, repo.state AS repo_state, tag.id AS tag_id, tag.name AS tag_name,
  create_events.id AS create_event_id, EXTRACT(EPOCH FROM create_events.time) AS create_ts,
  retire_events.id AS retire_event_id, EXTRACT(EPOCH FROM retire_events.time) AS retire_ts,
  repo_create.id AS repo_create_event_id, EXTRACT(EPOCH FROM repo_create.time) AS repo_create_ts`

const joins = `
  LEFT OUTER JOIN standard_buildroot ON standard_buildroot.buildroot_id = buildroot.id
  LEFT OUTER JOIN content_generator ON buildroot.cg_id = content_generator.id
  LEFT OUTER JOIN host ON host.id = standard_buildroot.host_id
  LEFT OUTER JOIN repo ON repo.id = standard_buildroot.repo_id
  LEFT OUTER JOIN tag ON tag.id = repo.tag_id
  LEFT OUTER JOIN events AS create_events ON create_events.id = standard_buildroot.create_event
  LEFT OUTER JOIN events AS retire_events ON retire_events.id = standard_buildroot.retire_event
  LEFT OUTER JOIN events AS repo_create ON repo_create.id = repo.create_event`

const num = (n: number | string | null) => (n === null ? null : Number(n))
const time = (ts: number | string | null) => (ts === null ? null : timestampOf(Number(ts)))

const toBuildroot = (row: BuildrootRow): Buildroot =>
  fromRow(Buildroot, {
    id: row.id as BuildrootId,
    br_type: row.br_type as BrType,
    cg_id: row.cg_id as ContentGeneratorId | null,
    cg_name: row.cg_name,
    cg_version: row.cg_version,
    container_type: row.container_type,
    container_arch: row.container_arch,
    arch: row.container_arch,
    host_os: row.host_os,
    host_arch: row.host_arch,
    extra: parseExtra(row.extra),
    state: row.state as BrState | null,
    task_id: row.task_id as TaskId | null,
    host_id: row.host_id as HostId | null,
    host_name: row.host_name,
    repo_id: row.repo_id as RepoId | null,
    repo_state: row.repo_state as RepoState | null,
    tag_id: row.tag_id as TagId | null,
    tag_name: row.tag_name,
    create_event_id: row.create_event_id as EventId | null,
    create_event_time: time(row.create_ts),
    create_ts: num(row.create_ts),
    retire_event_id: row.retire_event_id as EventId | null,
    retire_event_time: time(row.retire_ts),
    retire_ts: num(row.retire_ts),
    repo_create_event_id: row.repo_create_event_id as EventId | null,
    repo_create_event_time: time(row.repo_create_ts)
  })

interface StandardRow {
  readonly id: number
  readonly br_type: number
  readonly host_id: number | null
  readonly task_id: number | null
  readonly state: number | null
  readonly standard: boolean
}

/**
 * A buildroot state by name or number as its number; `ParameterError` for anything else.
 *
 * @since 0.1.0
 * @category combinators
 */
export const parseState = (state: number | string): Effect.Effect<BrState, ParameterError> => {
  const value = BrState.getnum(state)
  return value === undefined
    ? Effect.fail(new ParameterError({ message: `Invalid buildroot state: ${Method.pythonRepr(state)}` }))
    : Effect.succeed(value)
}

/**
 * The Buildroots service on Koji's tables.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const rpms = yield* Rpms
  const eventId = Database.withSql(sql)(Versioned.eventId)

  // Koji's Task(task_id).assertHost(host): the task is OPEN and the host's (row-locked)
  const assertTaskHost = (hostId: number, taskId: number) =>
    Effect.gen(function*() {
      const [task] = yield* sql<{ state: number; host_id: number | null }>`
        SELECT state, host_id FROM task WHERE id = ${taskId} FOR UPDATE`
      if (task === undefined) return yield* new GenericError({ message: `No such task: ${taskId}` })
      if (task.state !== TaskState.OPEN || task.host_id !== hostId) {
        return yield* new ActionNotAllowed({ message: `host ${hostId} does not own task ${taskId}` })
      }
    })

  // Koji's BuildRoot(id) with assertHost / assertTask, the standard_buildroot row locked
  const load = (hostId: number, brootId: number, taskId: number | null) =>
    Effect.gen(function*() {
      if (taskId !== null) yield* assertTaskHost(hostId, taskId)
      const [br] = yield* sql<StandardRow>`
        SELECT buildroot.id, buildroot.br_type, standard_buildroot.host_id, standard_buildroot.task_id,
               standard_buildroot.state, standard_buildroot.buildroot_id IS NOT NULL AS standard
          FROM buildroot LEFT JOIN standard_buildroot ON standard_buildroot.buildroot_id = buildroot.id
         WHERE buildroot.id = ${brootId}
           FOR UPDATE OF buildroot`
      if (br === undefined) return yield* new GenericError({ message: `no buildroot with ID: ${brootId}` })
      if (br.br_type !== BrType.STANDARD || !br.standard) {
        return yield* new GenericError({ message: `Not a standard buildroot: ${brootId}` })
      }
      if (br.host_id !== hostId) {
        return yield* new ActionNotAllowed({ message: `Host ${hostId} not owner of buildroot ${brootId}` })
      }
      if (taskId !== null && br.task_id !== taskId) {
        return yield* new ActionNotAllowed({ message: `Task ${taskId} does not have lock on buildroot ${brootId}` })
      }
      return br
    })

  const create = (
    hostId: number,
    options: { readonly repo: number | null; readonly arch: string; readonly taskId: number | null }
  ) =>
    Effect.gen(function*() {
      const arches = options.arch.split(/\s+/).filter((a) => a.length > 0)
      if (!arches.every((a) => archPattern.test(a))) {
        return yield* new GenericError({ message: "Architecture can be only [a-zA-Z0-9_-]" })
      }
      if (arches.length !== 1) {
        return yield* new ParameterError({ message: `A buildroot has one arch, not ${Method.pythonRepr(options.arch)}` })
      }
      if (options.taskId !== null) yield* assertTaskHost(hostId, options.taskId)
      if (options.repo !== null) {
        const [repo] = yield* sql<{ id: number }>`SELECT id FROM repo WHERE id = ${options.repo}`
        if (repo === undefined) return yield* new GenericError({ message: `No such repo: ${options.repo}` })
      }
      const event = yield* eventId
      const [row] = yield* sql<{ id: number }>`
        INSERT INTO buildroot (br_type, container_type, container_arch)
        VALUES (${BrType.STANDARD}, 'chroot', ${arches[0]!}) RETURNING id`
      yield* sql`
        INSERT INTO standard_buildroot (buildroot_id, host_id, repo_id, task_id, create_event, state)
        VALUES (${row!.id}, ${hostId}, ${options.repo}, ${options.taskId}, ${event}, ${BrState.INIT})`
      return row!.id
    })

  const setState = (hostId: number, brootId: number, stateInfo: number | string, taskId: number | null) =>
    Effect.gen(function*() {
      const state = yield* parseState(stateInfo)
      const br = yield* load(hostId, brootId, taskId)
      if (state === BrState.INIT) return yield* new GenericError({ message: "Cannot change buildroot state to INIT" })
      if (br.state === BrState.EXPIRED) {
        // expiring an expired buildroot is quietly ignored; anything else is an error
        if (state === BrState.EXPIRED) return
        return yield* new GenericError({ message: `buildroot ${brootId} is EXPIRED` })
      }
      if (state === BrState.EXPIRED) {
        const event = yield* eventId
        yield* sql`UPDATE standard_buildroot SET state = ${state}, retire_event = ${event} WHERE buildroot_id = ${brootId}`
      } else {
        yield* sql`UPDATE standard_buildroot SET state = ${state} WHERE buildroot_id = ${brootId}`
      }
    })

  // Koji's add_external_rpm(rpminfo, location, strict=False): the known row, or a new one
  const externalRpm = (rpm: BuildrootRpm, location: string) =>
    Effect.gen(function*() {
      const shown = Method.pythonRepr(rpm)
      for (const field of ["payloadhash", "size", "buildtime"] as const) {
        if (rpm[field] === undefined) return yield* new GenericError({ message: `${field} field missing: ${shown}` })
      }
      if (rpm.epoch === undefined) return yield* new GenericError({ message: `epoch field missing: ${shown}` })
      for (const field of ["size", "buildtime"] as const) {
        if (!Number.isInteger(rpm[field])) {
          return yield* new GenericError({ message: `Invalid value for ${field}: ${Method.pythonRepr(rpm[field])}` })
        }
      }
      const [repo] = yield* sql<{ id: number }>`SELECT id FROM external_repo WHERE name = ${location}`
      if (repo === undefined) {
        return yield* new GenericError({ message: `No such entry in table external_repo: ${location}` })
      }
      const [previous] = yield* sql<{ id: number; payloadhash: string }>`
        SELECT id, payloadhash FROM rpminfo
         WHERE name = ${rpm.name} AND version = ${rpm.version} AND release = ${rpm.release}
           AND arch = ${rpm.arch} AND external_repo_id = ${repo.id}
         ORDER BY id DESC LIMIT 1`
      if (previous !== undefined) {
        if (previous.payloadhash !== rpm.payloadhash) {
          return yield* new GenericError({
            message: `hash changed for external rpm: ${rpm.name}-${rpm.version}-${rpm.release}.${rpm.arch}@${location} (${previous.payloadhash} -> ${rpm.payloadhash})`
          })
        }
        return previous.id
      }
      const [row] = yield* sql<{ id: number }>`
        INSERT INTO rpminfo (name, version, release, epoch, arch, payloadhash, size, buildtime, external_repo_id)
        VALUES (${rpm.name}, ${rpm.version}, ${rpm.release}, ${rpm.epoch}, ${rpm.arch}, ${rpm.payloadhash!},
                ${rpm.size!}, ${rpm.buildtime!}, ${repo.id})
        RETURNING id`
      return row!.id
    })

  const setList = (
    hostId: number,
    brootId: number,
    list: ReadonlyArray<BuildrootRpm>,
    taskId: number | null,
    update: boolean
  ) =>
    Effect.gen(function*() {
      const br = yield* load(hostId, brootId, taskId)
      const wanted = update ? BrState.BUILDING : BrState.INIT
      if (br.state !== wanted) {
        return yield* new GenericError({ message: `buildroot ${brootId} in wrong state ${br.state}` })
      }
      const current = new Set(
        (yield* sql<{ rpm_id: number }>`SELECT rpm_id FROM buildroot_listing WHERE buildroot_id = ${brootId}`)
          .map((r) => r.rpm_id)
      )
      const ids = new Set<number>()
      for (const rpm of list) {
        const location = rpm.location ?? null
        const id = location !== null && location.length > 0
          ? yield* externalRpm(rpm, location)
          : (yield* rpms.require(
            rpm.id !== undefined
              ? rpm.id
              : { name: rpm.name, version: rpm.version, release: rpm.release, arch: rpm.arch }
          )).id
        // already listed: ignored (Koji ignores them for updates)
        if (!current.has(id)) ids.add(id)
      }
      // sorted, as Koji does against deadlocks
      const sorted = [...ids].sort((a, b) => a - b)
      if (sorted.length > 0) {
        yield* sql`INSERT INTO buildroot_listing ${
          sql.insert(sorted.map((rpm_id) => ({ buildroot_id: brootId, rpm_id, is_update: update })))
        }`
      }
    })

  const list = (options: ListOptions) =>
    Effect.gen(function*() {
      const clauses: Array<Statement.Fragment> = []
      const idOrIds = (column: string, value: number | ReadonlyArray<number>) =>
        typeof value === "number"
          ? sql`${sql.literal(column)} = ${value}`
          : value.length === 0
          ? sql`FALSE`
          : sql`${sql.literal(column)} IN ${sql.in(value)}`
      if (options.buildrootID !== null && options.buildrootID !== undefined) {
        clauses.push(idOrIds("buildroot.id", options.buildrootID))
      }
      if (options.hostID !== null && options.hostID !== undefined) clauses.push(sql`host.id = ${options.hostID}`)
      if (options.tagID !== null && options.tagID !== undefined) clauses.push(sql`tag.id = ${options.tagID}`)
      if (options.state !== null && options.state !== undefined) {
        clauses.push(idOrIds("standard_buildroot.state", options.state))
      }
      if (options.rpmID !== null && options.rpmID !== undefined) {
        clauses.push(sql`buildroot.id IN (SELECT buildroot_id FROM buildroot_listing WHERE rpm_id = ${options.rpmID})`)
      }
      if (options.archiveID !== null && options.archiveID !== undefined) {
        clauses.push(
          sql`buildroot.id IN (SELECT buildroot_id FROM buildroot_archives WHERE archive_id = ${options.archiveID})`
        )
      }
      if (options.taskID !== null && options.taskID !== undefined) {
        clauses.push(sql`standard_buildroot.task_id = ${options.taskID}`)
      }
      // Koji tests `if repoID:` (0 means no filter)
      if (options.repoID) clauses.push(sql`standard_buildroot.repo_id = ${options.repoID}`)
      const where = clauses.length === 0 ? sql`TRUE` : sql.and(clauses)
      const rows = yield* QueryOpts_.run(sql, options.queryOpts, {
        columns: fieldColumns,
        tiebreak: "buildroot.id",
        from: sql`SELECT 1 FROM buildroot ${sql.literal(joins)} WHERE ${where}`,
        select: (order, window) =>
          sql<BuildrootRow>`
            SELECT ${sql.literal(selectColumns)} FROM buildroot ${sql.literal(joins)}
             WHERE ${where} ORDER BY ${order} ${window}`
      })
      if (typeof rows === "number") return rows
      return rows.map(toBuildroot)
    })

  const find = (id: number) =>
    Effect.map(list({ buildrootID: id }), (rows) => (typeof rows === "number" ? undefined : rows[0]))

  const listing = (id: number) =>
    Effect.gen(function*() {
      const [br] = yield* sql<{ id: number }>`SELECT id FROM buildroot WHERE id = ${id}`
      if (br === undefined) return yield* new GenericError({ message: `no buildroot with ID: ${id}` })
      const rows = yield* sql<{
        rpm_id: number
        is_update: boolean
        name: string
        version: string
        release: string
        epoch: number | null
        arch: string
        build_id: number | null
        draft: boolean | null
        external_repo_id: number
        external_repo_name: string
      }>`
        SELECT buildroot_listing.rpm_id, buildroot_listing.is_update, rpminfo.name, rpminfo.version,
               rpminfo.release, rpminfo.epoch, rpminfo.arch, rpminfo.build_id, rpminfo.draft,
               rpminfo.external_repo_id, external_repo.name AS external_repo_name
          FROM buildroot_listing
          JOIN rpminfo ON rpminfo.id = buildroot_listing.rpm_id
          JOIN external_repo ON external_repo.id = rpminfo.external_repo_id
         WHERE buildroot_listing.buildroot_id = ${id}
         ORDER BY buildroot_listing.rpm_id`
      return rows.map((r): BuildrootListingEntry => ({
        rpm_id: r.rpm_id as RpmId,
        is_update: r.is_update,
        name: r.name,
        version: r.version,
        release: r.release,
        epoch: r.epoch === null ? null : Number(r.epoch),
        arch: r.arch,
        build_id: r.build_id as BuildId | null,
        draft: r.draft,
        external_repo_id: r.external_repo_id as ExternalRepoId,
        external_repo_name: r.external_repo_name
      }))
    })

  return Buildroots.of({ create, setState, setList, find, list, listing })
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Buildroots, never, SqlClient.SqlClient> = Layer.effect(Buildroots, make).pipe(
  Layer.provide(rpmsLayer)
)
