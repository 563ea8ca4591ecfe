/**
 * Koji's versioned-history query (`queryHistory`) as a table-driven engine.
 *
 * Each versioned table is ONE {@link TableDescription}: its key and data columns,
 * the joins that give Koji's dotted name fields (`user.name`, `tag.name`, ...) and
 * which table-specific filters it accepts (and on which columns). The engine adds
 * what every versioned table shares: `active`, the create/revoke events with their
 * times (`create_ts`, `revoke_ts`) and the creator/revoker with their names.
 *
 * Adding a table to `queryHistory`: write its description and list it in
 * {@link descriptions}; the filters (`tag`, `build`, `package`, ...) are already known.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import * as Method from "../api/Method.js"
import type { QueryOpts, UserInfo } from "../api/Users.js"
import { GenericError, ParameterError } from "../domain/Errors.js"
import * as TagsHistory from "./TagsHistory.js"
import { layer as usersLayer, pythonStr, Users } from "./Users.js"

/**
 * A table joined to give a name field: `LEFT JOIN <table> AS <as> ON <as>.id = <on>`.
 *
 * @since 0.1.0
 * @category models
 */
export interface NameJoin {
  /** The id column: a column of the history table, or `alias.column` of an earlier join. */
  readonly on: string
  /** The table joined. */
  readonly table: string
  /** Its alias in the query (default: the table's name); unique within a description. */
  readonly as?: string | undefined
  /** The fields it adds to each row: output name -> column of the joined table (`{"user.name": "name"}`). */
  readonly fields: Readonly<Record<string, string>>
}

/**
 * The table-specific filters of `queryHistory` (Koji's names).
 *
 * @since 0.1.0
 * @category models
 */
export type FilterName =
  | "user"
  | "permission"
  | "host"
  | "channel"
  | "tag"
  | "build"
  | "package"
  | "external_repo"
  | "build_target"
  | "group"
  | "cg"
  | "xkey"

/**
 * How a table matches a filter: the columns compared with the filter's resolved id (any of them
 * may match, as `tag_inheritance` matches a tag as child or parent), or `{ text }`: the columns
 * compared with the filter's value as a string (`xkey`, `package` of `group_package_listing`).
 * A column is one of the history table, or `alias.column` of a join.
 *
 * @since 0.1.0
 * @category models
 */
export type FilterMatch = ReadonlyArray<string> | { readonly text: ReadonlyArray<string> }

/**
 * One versioned table as `queryHistory` reads it.
 *
 * @since 0.1.0
 * @category models
 */
export interface TableDescription {
  /** The table's name (the key of its rows in the answer). */
  readonly table: string
  /** The columns that name a row (the default order after the create event). */
  readonly key: ReadonlyArray<string>
  /** The other versioned columns. */
  readonly data: ReadonlyArray<string>
  /** Joins for the name fields, in order (a join may use an earlier one's alias in `on`). */
  readonly joins: ReadonlyArray<NameJoin>
  /** The table-specific filters it accepts; any other given filter leaves the table out. */
  readonly filters: Readonly<Partial<Record<FilterName, FilterMatch>>>
}

/**
 * `user_perms`: permissions granted to users and groups.
 *
 * @since 0.1.0
 * @category tables
 */
export const userPerms: TableDescription = {
  table: "user_perms",
  key: ["user_id", "perm_id"],
  data: [],
  joins: [
    { on: "user_id", table: "users", fields: { "user.name": "name" } },
    { on: "perm_id", table: "permissions", as: "permission", fields: { "permission.name": "name" } }
  ],
  filters: { user: ["user_id"], permission: ["perm_id"] }
}

/**
 * `user_groups`: group membership. The `user` filter matches the member or the group
 * (Koji matches the group only, a side effect of its join bookkeeping).
 *
 * @since 0.1.0
 * @category tables
 */
export const userGroups: TableDescription = {
  table: "user_groups",
  key: ["user_id", "group_id"],
  data: [],
  joins: [
    { on: "user_id", table: "users", fields: { "user.name": "name" } },
    { on: "group_id", table: "users", as: "usergroup", fields: { "group.name": "name" } }
  ],
  filters: { user: ["user_id", "group_id"] }
}

/**
 * `host_config`: a host's admin settings.
 *
 * @since 0.1.0
 * @category tables
 */
export const hostConfig: TableDescription = {
  table: "host_config",
  key: ["host_id"],
  data: ["arches", "capacity", "description", "comment", "enabled"],
  joins: [{ on: "host_id", table: "host", fields: { "host.name": "name" } }],
  filters: { host: ["host_id"] }
}

/**
 * `host_channels`: the channels a host listens on.
 *
 * @since 0.1.0
 * @category tables
 */
export const hostChannels: TableDescription = {
  table: "host_channels",
  key: ["host_id", "channel_id"],
  data: [],
  joins: [
    { on: "host_id", table: "host", fields: { "host.name": "name" } },
    { on: "channel_id", table: "channels", fields: { "channels.name": "name" } }
  ],
  filters: { host: ["host_id"], channel: ["channel_id"] }
}

/**
 * `tag_listing`: builds tagged into tags, with the build's N-V-R, epoch and state as Koji adds them.
 *
 * @since 0.1.0
 * @category tables
 */
export const tagListing: TableDescription = {
  table: "tag_listing",
  key: ["build_id", "tag_id"],
  data: [],
  joins: [
    { on: "tag_id", table: "tag", fields: { "tag.name": "name" } },
    {
      on: "build_id",
      table: "build",
      fields: { version: "version", release: "release", epoch: "epoch", "build.state": "state" }
    },
    { on: "build.pkg_id", table: "package", fields: { name: "name" } }
  ],
  filters: { tag: ["tag_id"], build: ["build_id"], package: ["build.pkg_id"] }
}

/**
 * Every table `queryHistory` knows (all of them when the caller names none, in name order).
 *
 * @since 0.1.0
 * @category tables
 */
export const descriptions: ReadonlyArray<TableDescription> = [userPerms, userGroups, hostConfig, hostChannels, tagListing, ...TagsHistory.tables]

/**
 * What `queryHistory` was asked.
 *
 * @since 0.1.0
 * @category models
 */
export interface Query {
  /** The tables to search (`null`: all, in name order). */
  readonly tables: ReadonlyArray<string> | null
  /** Created or revoked before this time (epoch seconds or a timestamp string). */
  readonly before?: number | string | undefined
  /** Created or revoked after this time. */
  readonly after?: number | string | undefined
  /** Created or revoked before this event. */
  readonly beforeEvent?: number | undefined
  /** Created or revoked after this event. */
  readonly afterEvent?: number | undefined
  /** `true`: current rows; `false`: revoked rows; `null`/absent: both. */
  readonly active?: boolean | null | undefined
  /** Created or revoked by this user. */
  readonly editor?: UserInfo | undefined
  /** Table-specific filters; a table that does not accept one given here is left out. */
  readonly filters?: Readonly<Partial<Record<FilterName, unknown>>> | undefined
  /** `order` (output field names, `-` for descending), `offset`, `limit`, `countOnly`: applied per table. */
  readonly queryOpts?: QueryOpts | null | undefined
}

/**
 * One history row: the table's columns, the common versioning fields and the name fields.
 *
 * @since 0.1.0
 * @category models
 */
export type Row = Readonly<Record<string, unknown>>

/**
 * The answer: rows per table, or their number per table with `countOnly`.
 *
 * @since 0.1.0
 * @category models
 */
export type Result = Readonly<Record<string, ReadonlyArray<Row> | number>>

type Failure = GenericError | ParameterError | SqlError.SqlError

/**
 * @since 0.1.0
 * @category tags
 */
export class History extends Context.Tag("koji/hub/History")<History, {
  /** Koji's `query_history`. */
  readonly query: (query: Query) => Effect.Effect<Result, Failure>
}>() {}

const quote = (name: string) => `"${name.replace(/"/g, "\"\"")}"`

// a column of the table (`perm_id`) or of a join (`build.pkg_id`), as SQL
const columnOf = (table: string, column: string) =>
  column.includes(".") ? column.split(".").map(quote).join(".") : `${quote(table)}.${quote(column)}`

const filterNames: ReadonlySet<string> = new Set<FilterName>([
  "user",
  "permission",
  "host",
  "channel",
  "tag",
  "build",
  "package",
  "external_repo",
  "build_target",
  "group",
  "cg",
  "xkey"
])

/**
 * Check a description (unique aliases and output names, known filters); throws on a mistake,
 * so a bad description fails at start-up.
 *
 * @since 0.1.0
 * @category combinators
 */
export const validate = (description: TableDescription): TableDescription => {
  const aliases = new Set(["ev1", "ev2", "creator", "revoker", description.table])
  const fields = new Set([
    "active",
    "create_event",
    "revoke_event",
    "creator_id",
    "revoker_id",
    "creator_name",
    "revoker_name",
    "create_ts",
    "revoke_ts"
  ])
  const add = (set: Set<string>, name: string, what: string) => {
    if (set.has(name)) throw new Error(`history table ${description.table}: duplicate ${what} ${name}`)
    set.add(name)
  }
  for (const column of [...description.key, ...description.data]) add(fields, column, "field")
  for (const join of description.joins) {
    add(aliases, join.as ?? join.table, "alias")
    for (const field of Object.keys(join.fields)) add(fields, field, "field")
  }
  for (const filter of Object.keys(description.filters)) {
    if (!filterNames.has(filter)) throw new Error(`history table ${description.table}: unknown filter ${filter}`)
  }
  return description
}

interface Built {
  /** output name -> SQL expression (also the allowed order terms) */
  readonly columns: ReadonlyArray<readonly [string, string]>
  readonly from: string
}

const build = (d: TableDescription): Built => {
  const t = quote(d.table)
  const columns: Array<readonly [string, string]> = [
    ["active", `${t}.active`],
    ["create_event", `${t}.create_event`],
    ["revoke_event", `${t}.revoke_event`],
    ["creator_id", `${t}.creator_id`],
    ["revoker_id", `${t}.revoker_id`],
    ["creator_name", "creator.name"],
    ["revoker_name", "revoker.name"],
    ["create_ts", "date_part('epoch', ev1.time)"],
    ["revoke_ts", "date_part('epoch', ev2.time)"],
    ...[...d.key, ...d.data].map((c) => [c, columnOf(d.table, c)] as const)
  ]
  const joins = [
    `JOIN events AS ev1 ON ev1.id = ${t}.create_event`,
    `LEFT JOIN events AS ev2 ON ev2.id = ${t}.revoke_event`,
    `JOIN users AS creator ON creator.id = ${t}.creator_id`,
    `LEFT JOIN users AS revoker ON revoker.id = ${t}.revoker_id`
  ]
  for (const join of d.joins) {
    const alias = quote(join.as ?? join.table)
    joins.push(`LEFT JOIN ${quote(join.table)} AS ${alias} ON ${alias}.id = ${columnOf(d.table, join.on)}`)
    for (const [field, column] of Object.entries(join.fields)) columns.push([field, `${alias}.${quote(column)}`])
  }
  return { columns, from: `${t} ${joins.join(" ")}` }
}

const isTimestampString = (value: number | string): value is string => typeof value === "string"

/**
 * The history service on Koji's tables, over `tables` (default: {@link descriptions}).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (tables: ReadonlyArray<TableDescription> = descriptions) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const users = yield* Users
    const byName = new Map(tables.map((d) => [d.table, { description: validate(d), built: build(d) }]))
    const allNames = [...byName.keys()].sort()

    // Koji's lookup_name: an int is an id, a string a name, a dict its id or name
    const lookupName = (table: string, info: unknown, strict: boolean) =>
      Effect.gen(function*() {
        let key: unknown = info
        if (typeof key === "object" && key !== null && !Array.isArray(key)) {
          const dict = key as Record<string, unknown>
          if ("id" in dict) key = dict.id
          else if ("name" in dict) key = dict.name
        }
        const t = sql.literal(quote(table))
        const rows = typeof key === "number" && Number.isInteger(key)
          ? yield* sql<{ id: number }>`SELECT id FROM ${t} WHERE id = ${key}`
          : typeof key === "string"
          ? yield* sql<{ id: number }>`SELECT id FROM ${t} WHERE name = ${key}`
          : yield* new ParameterError({ message: `Invalid name or id value: ${pythonStr(info)}` })
        if (rows[0] !== undefined) return rows[0].id
        if (strict) return yield* new GenericError({ message: `No such entry in table ${table}: ${pythonStr(info)}` })
        return null
      })

    // Koji's get_build(info, strict=True): an id, an N-V-R string or a {name, version, release} dict
    const lookupBuild = (info: unknown) =>
      Effect.gen(function*() {
        if (typeof info === "number") {
          const rows = yield* sql<{ id: number }>`SELECT id FROM build WHERE id = ${info}`
          if (rows[0] !== undefined) return rows[0].id
          return yield* new GenericError({ message: `No such build: ${info}` })
        }
        let nvr: Record<string, unknown>
        if (typeof info === "string") {
          const p2 = info.lastIndexOf("-")
          const p1 = p2 <= 0 ? -1 : info.lastIndexOf("-", p2 - 1)
          if (p2 === -1 || p2 === info.length - 1 || p1 === -1 || p1 === p2 - 1) {
            return yield* new GenericError({ message: `invalid format: ${info}` })
          }
          const name = info.slice(0, p1)
          const colon = name.indexOf(":")
          nvr = { name: colon === -1 ? name : name.slice(colon + 1), version: info.slice(p1 + 1, p2), release: info.slice(p2 + 1) }
        } else if (typeof info === "object" && info !== null && !Array.isArray(info)) {
          nvr = info as Record<string, unknown>
        } else {
          return yield* new GenericError({ message: `Invalid type for argument: ${typeof info}` })
        }
        if (!("name" in nvr && "version" in nvr && "release" in nvr)) {
          return yield* new GenericError({ message: "did not provide name, version, and release" })
        }
        const rows = yield* sql<{ id: number }>`
          SELECT build.id FROM build JOIN package ON build.pkg_id = package.id
           WHERE package.name = ${String(nvr.name)} AND build.version = ${String(nvr.version)}
             AND build.release = ${String(nvr.release)}`
        if (rows[0] !== undefined) return rows[0].id
        return yield* new GenericError({ message: `No such build: ${Method.pythonRepr(info)}` })
      })

    // each filter's value as Koji resolves it (`null`: matches nothing, as Koji's `host.id = NULL`)
    const resolvers: Record<FilterName, (value: unknown) => Effect.Effect<number | string | null, Failure>> = {
      user: (value) => Effect.map(users.require(value as UserInfo), (u) => u.id),
      permission: (value) => lookupName("permissions", value, true),
      host: (value) => lookupName("host", value, false),
      channel: (value) => lookupName("channels", value, false),
      tag: (value) => lookupName("tag", value, true),
      build: lookupBuild,
      package: (value) => lookupName("package", value, true),
      external_repo: (value) => lookupName("external_repo", value, true),
      build_target: (value) => lookupName("build_target", value, true),
      group: (value) => lookupName("groups", value, true),
      cg: (value) => lookupName("content_generator", value, true),
      xkey: (value) => Effect.succeed(pythonStr(value))
    }

    const timeOf = (value: number | string): Statement.Fragment =>
      isTimestampString(value) ? sql`${value}::timestamptz` : sql`to_timestamp(${value}::float8)`

    const query = (q: Query) =>
      Effect.gen(function*() {
        const names = q.tables ?? allNames
        for (const name of names) {
          if (!byName.has(name)) return yield* new GenericError({ message: `No such history table: ${name}` })
        }
        const given = Object.entries(q.filters ?? {}).filter(([, v]) => v !== undefined) as Array<[FilterName, unknown]>
        const resolved = new Map<FilterName, number | string | null>()
        let editor: number | undefined
        const opts = q.queryOpts ?? {}
        const result: Record<string, ReadonlyArray<Row> | number> = {}

        for (const name of names) {
          const { built, description } = byName.get(name)!
          // a filter this table does not take leaves it out (Koji's rule)
          if (given.some(([filter]) => description.filters[filter] === undefined)) continue
          const t = quote(name)
          const clauses: Array<Statement.Fragment> = []
          const flags: Array<Statement.Fragment> = []
          for (const [filter, value] of given) {
            const match = description.filters[filter]!
            if (Array.isArray(match)) {
              if (!resolved.has(filter)) resolved.set(filter, yield* resolvers[filter](value))
              const id = resolved.get(filter)
              const columns = match as ReadonlyArray<string>
              clauses.push(
                id === null || id === undefined
                  ? sql`FALSE`
                  : sql.or(columns.map((c) => sql`${sql.literal(columnOf(name, c))} = ${id}`))
              )
            } else {
              const text = pythonStr(value)
              const columns = (match as { readonly text: ReadonlyArray<string> }).text
              clauses.push(sql.or(columns.map((c) => sql`${sql.literal(columnOf(name, c))} = ${text}`)))
            }
          }
          if (q.active === true) clauses.push(sql`${sql.literal(t)}.active = TRUE`)
          else if (q.active === false) clauses.push(sql`${sql.literal(t)}.active IS NULL`)
          const flag = (expression: Statement.Fragment, alias: string) =>
            flags.push(sql`${expression} AS ${sql.literal(quote(alias))}`)
          if (q.editor !== undefined) {
            editor ??= (yield* users.require(q.editor)).id
            clauses.push(sql`(creator.id = ${editor} OR revoker.id = ${editor})`)
            flag(sql`creator.id = ${editor}`, "_created_by")
            flag(sql`revoker.id = ${editor}`, "_revoked_by")
          }
          const compare = (
            value: Statement.Fragment,
            op: "<" | ">",
            create: string,
            revoke: string,
            names: readonly [string, string]
          ) => {
            const c = sql`${sql.literal(create)} ${sql.literal(op)} ${value}`
            const r = sql`${sql.literal(revoke)} ${sql.literal(op)} ${value}`
            clauses.push(sql`(${c} OR ${r})`)
            flag(c, names[0])
            flag(r, names[1])
          }
          if (q.after !== undefined) {
            compare(timeOf(q.after), ">", "ev1.time", "ev2.time", ["_created_after", "_revoked_after"])
          }
          if (q.afterEvent !== undefined) {
            compare(sql`${q.afterEvent}::int`, ">", `${t}.create_event`, `${t}.revoke_event`, [
              "_created_after_event",
              "_revoked_after_event"
            ])
          }
          if (q.before !== undefined) {
            compare(timeOf(q.before), "<", "ev1.time", "ev2.time", ["_created_before", "_revoked_before"])
          }
          if (q.beforeEvent !== undefined) {
            compare(sql`${q.beforeEvent}::int`, "<", `${t}.create_event`, `${t}.revoke_event`, [
              "_created_before_event",
              "_revoked_before_event"
            ])
          }

          const selected = sql.csv([
            ...built.columns.map(([alias, expression]) => `${expression} AS ${quote(alias)}`),
            ...flags
          ])
          const where = clauses.length === 0 ? sql`TRUE` : sql.and(clauses)
          const offset = opts.offset ? sql`OFFSET ${opts.offset}` : sql.literal("")
          const limit = opts.limit ? sql`LIMIT ${opts.limit}` : sql.literal("")
          const from = sql.literal(built.from)
          if (opts.countOnly) {
            const [row] = yield* sql<{ n: number }>`
              SELECT count(*)::int AS n FROM (SELECT 1 FROM ${from} WHERE ${where} ${offset} ${limit}) numrows`
            result[name] = row!.n
            continue
          }
          const terms: Array<string> = []
          for (const raw of (opts.order ?? "").split(",").filter((term) => term.length > 0)) {
            const descending = raw.startsWith("-")
            const term = descending ? raw.slice(1) : raw
            const expression = built.columns.find(([alias]) => alias === term)?.[1]
              ?? built.columns.find(([, e]) => e === columnOf(name, term))?.[1]
            if (expression === undefined) return yield* new GenericError({ message: `Invalid order: ${term}` })
            terms.push(`${expression}${descending ? " DESC" : ""}`)
          }
          terms.push(`${t}.create_event`, ...description.key.map((c) => columnOf(name, c)))
          const rows = yield* sql<Record<string, unknown>>`
            SELECT ${selected} FROM ${from} WHERE ${where}
             ORDER BY ${sql.literal(terms.join(", "))} ${offset} ${limit}`
          // Koji answers each row's fields in name order
          result[name] = rows.map((row) =>
            Object.fromEntries(Object.keys(row).sort().map((key) => [key, row[key]]))
          )
        }
        return result
      })

    return History.of({ query })
  })

/**
 * The history service over {@link descriptions}.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<History, never, SqlClient.SqlClient> = Layer.effect(History, make()).pipe(
  Layer.provide(usersLayer)
)
