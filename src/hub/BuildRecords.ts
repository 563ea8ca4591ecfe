/**
 * Build rows as the queries select them and the records Koji answers with
 * (`getBuild`, `listBuilds`, `listTagged`): the columns and joins, and the
 * row-to-record mapping (times as Koji's strings and epoch floats, `nvr`, parsed
 * `extra`), made cheap enough for listings of many thousand builds.
 *
 * @since 0.1.0
 */
import type { SqlClient, Statement } from "@effect/sql"
import { Build, BuildListEntry, TaggedBuild } from "../domain/Build.js"
import type { BuildState } from "../domain/Enums.js"
import type { Extra } from "../domain/Extra.js"
import type { BuildId, ContentGeneratorId, EventId, PackageId, TaskId, UserId, VolumeId } from "../domain/Ids.js"
import * as Timestamp from "../domain/Timestamp.js"
import * as Nvr from "./Nvr.js"

/**
 * A build row as the queries here select it (times as epoch seconds).
 *
 * @since 0.1.0
 * @category models
 */
export interface BuildRow {
  readonly id: number
  readonly version: string
  readonly release: string
  readonly epoch: number | null
  readonly draft: boolean
  readonly state: number
  readonly task_id: number | null
  readonly source: string | null
  readonly extra: string | null
  readonly cg_id: number | null
  readonly cg_name: string | null
  readonly creation_event_id: number
  readonly creation_ts: number
  readonly start_ts: number | null
  readonly completion_ts: number | null
  readonly promotion_ts: number | null
  readonly package_id: number
  readonly package_name: string
  readonly volume_id: number
  readonly volume_name: string
  readonly owner_id: number
  readonly owner_name: string
  readonly promoter_id: number | null
  readonly promoter_name: string | null
}

// the columns every build listing shares: its event, times, package, volume, owner and promoter
const commonColumns = `
  events.id AS creation_event_id, date_part('epoch', events.time) AS creation_ts,
  date_part('epoch', build.start_time) AS start_ts,
  date_part('epoch', build.completion_time) AS completion_ts,
  date_part('epoch', build.promotion_time) AS promotion_ts,
  package.id AS package_id, package.name AS package_name,
  volume.id AS volume_id, volume.name AS volume_name,
  users.id AS owner_id, users.name AS owner_name,
  promoter.id AS promoter_id, promoter.name AS promoter_name`

/**
 * The columns of a `BuildRow`, over `build` joined by {@link buildJoins}.
 *
 * @since 0.1.0
 * @category constants
 */
export const buildColumns = `
  build.id, build.version, build.release, build.epoch, build.draft, build.state, build.task_id,
  build.source, build.extra, build.cg_id, content_generator.name AS cg_name,${commonColumns}`

/**
 * The columns a tagged-build listing needs (no `source`, `extra` or content generator), over
 * `build` joined by {@link buildJoins}.
 *
 * @since 0.1.0
 * @category constants
 */
export const taggedBuildColumns = `
  build.id, build.version, build.release, build.epoch, build.draft, build.state, build.task_id,${commonColumns}`

/**
 * The joins behind {@link buildColumns}.
 *
 * @since 0.1.0
 * @category constants
 */
export const buildJoins = `
  JOIN events ON events.id = build.create_event
  JOIN package ON package.id = build.pkg_id
  JOIN volume ON volume.id = build.volume_id
  JOIN users ON users.id = build.owner
  LEFT JOIN users AS promoter ON promoter.id = build.promoter
  LEFT JOIN content_generator ON content_generator.id = build.cg_id`

/**
 * A record made from a database row: an instance of the record's class holding the row's
 * fields, without running the class constructor (whose validation and defaults cost tens of
 * microseconds per record; the columns' types and constraints already hold). Listing ten
 * thousand builds stays cheap.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromRow = <A extends object, P extends object>(
  Class: { readonly prototype: A; new(props: P, options?: boolean): A },
  props: P
): A => Object.assign(Object.create(Class.prototype) as A, props)

// the date part of Timestamp.fromEpoch per day since the epoch, kept for the days seen lately
const days = new Map<number, string>()
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n))

/**
 * `Timestamp.fromEpoch`, for many rows: the same string, with the date part of each day
 * computed once (builds of a listing share days) and the time of day by arithmetic.
 *
 * @since 0.1.0
 * @category constructors
 */
export const timestampOf = (seconds: number): Timestamp.Timestamp => {
  const micros = Math.round(seconds * 1e6)
  const whole = Math.floor(micros / 1e6)
  const fraction = micros - whole * 1e6
  const day = Math.floor(whole / 86_400)
  let date = days.get(day)
  if (date === undefined) {
    if (days.size >= 4096) days.clear()
    date = Timestamp.fromEpoch(day * 86_400).slice(0, 10)
    days.set(day, date)
  }
  const rest = whole - day * 86_400
  const clock = `${pad2(Math.floor(rest / 3600))}:${pad2(Math.floor(rest / 60) % 60)}:${pad2(rest % 60)}`
  return `${date} ${clock}${fraction === 0 ? "" : `.${String(fraction).padStart(6, "0")}`}+00:00`
}

const time = (ts: number | null) => ts === null ? null : timestampOf(Number(ts))
const num = (n: number | null) => n === null ? null : Number(n)

/**
 * Koji's `parse_json` of an `extra` column (`null` stays `null`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const parseExtra = (text: string | null): Extra | null => {
  if (text === null || text === undefined) return null
  const value: unknown = typeof text === "string" ? JSON.parse(text) : text
  return value as Extra | null
}

const common = (row: Omit<BuildRow, "source" | "extra" | "cg_id" | "cg_name">) => ({
  build_id: row.id as BuildId,
  package_id: row.package_id as PackageId,
  package_name: row.package_name,
  name: row.package_name,
  version: row.version,
  release: row.release,
  epoch: num(row.epoch),
  nvr: Nvr.formatNVR({ name: row.package_name, version: row.version, release: row.release }),
  draft: row.draft,
  state: row.state as BuildState,
  task_id: row.task_id as TaskId | null,
  owner_id: row.owner_id as UserId,
  owner_name: row.owner_name,
  volume_id: row.volume_id as VolumeId,
  volume_name: row.volume_name,
  creation_event_id: row.creation_event_id as EventId,
  creation_time: timestampOf(Number(row.creation_ts)),
  start_time: time(row.start_ts),
  completion_time: time(row.completion_ts),
  promotion_time: time(row.promotion_ts),
  promoter_id: row.promoter_id as UserId | null,
  promoter_name: row.promoter_name
})

const detailed = (row: BuildRow) => ({
  ...common(row),
  creation_ts: Number(row.creation_ts),
  start_ts: num(row.start_ts),
  completion_ts: num(row.completion_ts),
  promotion_ts: num(row.promotion_ts),
  source: row.source,
  extra: parseExtra(row.extra)
})

/**
 * A row as `getBuild` answers it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toBuild = (row: BuildRow): Build =>
  fromRow(Build, {
    ...detailed(row),
    id: row.id as BuildId,
    cg_id: row.cg_id as ContentGeneratorId | null,
    cg_name: row.cg_name
  })

/**
 * A row as `listBuilds` answers it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toBuildListEntry = (row: BuildRow): BuildListEntry => fromRow(BuildListEntry, detailed(row))

/**
 * A row (with the tag it was found in and the tagging event) as `listTagged` answers it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toTaggedBuild = (
  row: Omit<BuildRow, "source" | "extra" | "cg_id" | "cg_name"> & {
    readonly extra?: string | null
    readonly tag_id: number
    readonly tag_name: string
    readonly create_event: number
  },
  withExtra: boolean
): TaggedBuild => {
  // one object, its fields set in the record's order (no intermediate objects: listings are large)
  const build = Object.create(TaggedBuild.prototype) as Record<string, unknown>
  build.build_id = row.id
  build.package_id = row.package_id
  build.package_name = row.package_name
  build.name = row.package_name
  build.version = row.version
  build.release = row.release
  build.epoch = num(row.epoch)
  build.nvr = `${row.package_name}-${row.version}-${row.release}`
  build.draft = row.draft
  build.state = row.state
  build.task_id = row.task_id
  build.owner_id = row.owner_id
  build.owner_name = row.owner_name
  build.volume_id = row.volume_id
  build.volume_name = row.volume_name
  build.creation_event_id = row.creation_event_id
  build.creation_time = timestampOf(Number(row.creation_ts))
  build.start_time = time(row.start_ts)
  build.completion_time = time(row.completion_ts)
  build.promotion_time = time(row.promotion_ts)
  build.promoter_id = row.promoter_id
  build.promoter_name = row.promoter_name
  build.id = row.id
  build.tag_id = row.tag_id
  build.tag_name = row.tag_name
  build.create_event = row.create_event
  if (withExtra) build.extra = parseExtra(row.extra ?? null)
  return build as unknown as TaggedBuild
}

/**
 * Koji's glob to SQL `LIKE` (`_prepareSearchTerms(..., 'glob')`): `\` doubled, `_` escaped,
 * `?` -> `_`, `*` -> `%`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const globToLike = (glob: string): string =>
  glob.replace(/\\/g, "\\\\").replace(/_/g, "\\_").replace(/\?/g, "_").replace(/\*/g, "%")

/**
 * A time filter's value as SQL: epoch seconds or a timestamp string.
 *
 * @since 0.1.0
 * @category combinators
 */
export const timeValue = (sql: SqlClient.SqlClient, value: number | string): Statement.Fragment =>
  typeof value === "string" ? sql`${value}::timestamptz` : sql`to_timestamp(${value}::float8)`
