/**
 * Builder hosts and channels (reference 13): the `Hosts` service behind the Hosts
 * handlers, and what the scheduler and the builder calls reuse — host lookup (now
 * or as of an event), arches, capacity, enabled/ready/task_load, channel membership,
 * the heartbeat (`host.updateHost`) and the scheduler's per-host data.
 *
 * Writes are recorded as `actorId` (the caller's user id) in the versioned tables
 * `host_config` and `host_channels`; each multi-step write is one transaction.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import type { ChannelInfo, HostData, HostInfo } from "../api/Hosts.js"
import type { QueryOpts, UserInfo } from "../api/Users.js"
import { Channel } from "../domain/Channel.js"
import { UserType } from "../domain/Enums.js"
import { GenericError, ParameterError } from "../domain/Errors.js"
import { Host } from "../domain/Host.js"
import type { ChannelId, HostId, UserId } from "../domain/Ids.js"
import * as Database from "../db/Database.js"
import * as Lookup from "./Lookup.js"
import { layer as usersLayer, pythonStr, Users, verifyInternalName, verifyUserName } from "./Users.js"
import * as EventStream from "./EventStream.js"
import * as Versioned from "./Versioned.js"

/**
 * Koji's check of one arch name (`koji.parse_arches`).
 *
 * @since 0.1.0
 * @category constants
 */
export const archPattern = /^[a-zA-Z0-9_-]*$/

/**
 * Koji's `parse_arches(arches, strict=True)`: split a space-separated arch string,
 * refusing names outside `[a-zA-Z0-9_-]`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const parseArches = (arches: string): Effect.Effect<ReadonlyArray<string>, GenericError> =>
  Effect.suspend(() => {
    const list = arches.split(/\s+/).filter((a) => a.length > 0)
    return list.every((a) => archPattern.test(a))
      ? Effect.succeed(list)
      : Effect.fail(new GenericError({ message: "Architecture can be only [a-zA-Z0-9_-]" }))
  })

/**
 * The arches a host builds, as a list (`noarch` is implied by Koji and not added here).
 *
 * @since 0.1.0
 * @category combinators
 */
export const archesOf = (host: Pick<Host, "arches">): ReadonlyArray<string> => host.arches.split(/\s+/).filter((a) => a.length > 0)

/**
 * Filters and options of `listHosts`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  /** Hosts having any of these arches. */
  readonly arches?: ReadonlyArray<string> | string | null | undefined
  /** Members of this channel (id or name). */
  readonly channel?: ChannelInfo | null | undefined
  readonly ready?: boolean | null | undefined
  readonly enabled?: boolean | null | undefined
  /** The host of this user. */
  readonly user?: UserInfo | null | undefined
  readonly queryOpts?: QueryOpts | null | undefined
}

/**
 * The changes of `editHost`: only the fields given are considered.
 *
 * @since 0.1.0
 * @category models
 */
export interface HostChanges {
  readonly arches?: string | undefined
  readonly capacity?: number | undefined
  readonly description?: string | null | undefined
  readonly comment?: string | null | undefined
}

/**
 * The changes of `editChannel`: only the fields given are considered.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChannelChanges {
  readonly name?: string | undefined
  readonly description?: string | null | undefined
  readonly comment?: string | null | undefined
}

type Failure = GenericError | SqlError.SqlError

/**
 * @since 0.1.0
 * @category tags
 */
export class Hosts extends Context.Tag("koji/hub/Hosts")<Hosts, {
  /** Koji's `get_host`: by id or name, current or as of `event`; `undefined` when unknown. */
  readonly find: (info: HostInfo, event?: number | null) => Effect.Effect<Host | undefined, SqlError.SqlError>
  /** What `find` (and `require`) will look up, for a batch to read ahead (`Lookup.wanting`). */
  readonly wants: (info: HostInfo, event?: number | null) => ReadonlyArray<Lookup.Want>
  /** `get_host(..., strict=True)`: `GenericError: Invalid hostInfo: X` when unknown. */
  readonly require: (info: HostInfo, event?: number | null) => Effect.Effect<Host, Failure>
  /** The host whose HOST user is `userId`, if any. */
  readonly byUser: (userId: number) => Effect.Effect<Host | undefined, SqlError.SqlError>
  /** `listHosts`: the hosts, or their number with `countOnly`. */
  readonly list: (options: ListOptions) => Effect.Effect<ReadonlyArray<Host> | number, Failure | ParameterError>
  /** `addHost`: the HOST user (new, or a NORMAL one converted with `force`), config, default channel; answers the id. */
  readonly add: (options: {
    readonly hostname: string
    readonly arches: ReadonlyArray<string>
    readonly krbPrincipal?: string | null | undefined
    readonly force?: boolean | undefined
  }, actorId: number) => Effect.Effect<number, Failure | ParameterError>
  /** `editHost`: a new `host_config` version when something changed; answers whether it did. */
  readonly edit: (info: HostInfo, changes: HostChanges, actorId: number) => Effect.Effect<boolean, Failure | ParameterError>
  /** `enableHost` / `disableHost` (a new `host_config` version). */
  readonly setEnabled: (hostname: HostInfo, enabled: boolean, actorId: number) => Effect.Effect<void, Failure>
  /** The builder's heartbeat: task load, ready, `update_time = now()`, and the scheduler data when given. */
  readonly update: (hostId: number, report: {
    readonly taskLoad: number
    readonly ready: boolean
    readonly data?: HostData | null | undefined
  }) => Effect.Effect<void, SqlError.SqlError>
  /** The data the host last reported for the scheduler (`scheduler_host_data`), or null. */
  readonly hostData: (hostId: number) => Effect.Effect<unknown, SqlError.SqlError>
  /** Koji's `get_channel`: by id or name; `undefined` when unknown. */
  readonly findChannel: (info: ChannelInfo) => Effect.Effect<Channel | undefined, SqlError.SqlError>
  /** `get_channel(..., strict=True)`: `GenericError: query returned no rows` when unknown. */
  readonly requireChannel: (info: ChannelInfo) => Effect.Effect<Channel, Failure>
  /** `listChannels`: every channel, or those of a host (current or as of `event`). */
  readonly listChannels: (options: {
    readonly host?: HostInfo | null | undefined
    readonly event?: number | null | undefined
    readonly enabled?: boolean | null | undefined
  }) => Effect.Effect<ReadonlyArray<Channel>, Failure>
  /** The ids of the channels a host is in (current or as of `event`). */
  readonly channelIds: (hostId: number, event?: number | null) => Effect.Effect<ReadonlyArray<number>, SqlError.SqlError>
  /** Whether a host is currently in a channel. */
  readonly isMember: (hostId: number, channelId: number) => Effect.Effect<boolean, SqlError.SqlError>
  /** `addChannel`: answers the new id. */
  readonly addChannel: (name: string, description: string | null) => Effect.Effect<number, Failure>
  /** `editChannel`: answers whether something changed. */
  readonly editChannel: (info: ChannelInfo, changes: ChannelChanges) => Effect.Effect<boolean, Failure | ParameterError>
  /** `enableChannel` / `disableChannel`, setting the comment when given. */
  readonly setChannelEnabled: (info: ChannelInfo, enabled: boolean, comment: string | null) => Effect.Effect<void, Failure>
  /** `addHostToChannel`. */
  readonly addToChannel: (
    hostname: HostInfo,
    channel: ChannelInfo,
    options: { readonly create: boolean; readonly force: boolean },
    actorId: number
  ) => Effect.Effect<void, Failure>
  /** `removeHostFromChannel`. */
  readonly removeFromChannel: (hostname: HostInfo, channel: ChannelInfo, actorId: number) => Effect.Effect<void, Failure>
}>() {}

interface HostRow {
  readonly id: number
  readonly user_id: number
  readonly name: string
  readonly update_ts: number | null
  readonly ready: boolean
  readonly task_load: number
  readonly arches: string | null
  readonly capacity: number
  readonly description: string | null
  readonly comment: string | null
  readonly enabled: boolean
}

interface ChannelRow {
  readonly id: number
  readonly name: string
  readonly description: string | null
  readonly enabled: boolean
  readonly comment: string | null
}

const toHost = (row: HostRow): Host =>
  new Host({
    id: row.id as HostId,
    user_id: row.user_id as UserId,
    name: row.name,
    update_ts: row.update_ts === null ? null : Number(row.update_ts),
    ready: row.ready,
    task_load: Number(row.task_load),
    arches: row.arches ?? "",
    capacity: Number(row.capacity),
    description: row.description,
    comment: row.comment,
    enabled: row.enabled
  })

const toChannel = (row: ChannelRow): Channel =>
  new Channel({
    id: row.id as ChannelId,
    name: row.name,
    description: row.description,
    enabled: row.enabled,
    comment: row.comment
  })

const hostOrderColumns: Readonly<Record<string, string>> = {
  id: "host.id",
  user_id: "host.user_id",
  name: "host.name",
  update_ts: "host.update_time",
  update_time: "host.update_time",
  ready: "host.ready",
  task_load: "host.task_load",
  arches: "host_config.arches",
  capacity: "host_config.capacity",
  description: "host_config.description",
  comment: "host_config.comment",
  enabled: "host_config.enabled"
}

// Koji's convert_value(None, cast=str): a given text field may not be None
const notNone = (value: unknown) =>
  value === null ? Effect.fail(new ParameterError({ message: "Invalid type, expected type <class 'str'>" })) : Effect.void

/**
 * The hosts service on Koji's tables.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const users = yield* Users
  const withSql = Database.withSql(sql)
  const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>) => withSql(sql.withTransaction(effect))

  const hostColumns = sql`
    host.id, host.user_id, host.name, date_part('epoch', host.update_time) AS update_ts,
    host.ready, host.task_load, host_config.arches, host_config.capacity,
    host_config.description, host_config.comment, host_config.enabled`

  const hostKey = (info: HostInfo) => typeof info === "number" ? sql`host.id = ${info}` : sql`host.name = ${info}`

  // the current hosts by id or name, batched (a multicall of getHost is one query)
  const findCurrent = Lookup.batched((keys) =>
    Effect.map(
      sql<HostRow>`
        SELECT ${hostColumns} FROM host_config JOIN host ON host.id = host_config.host_id
         WHERE host_config.active IS TRUE AND ${Lookup.keysClause(sql, "host", keys)}`,
      (rows) => {
        const found = new Map<string | number, Host>()
        for (const row of rows) {
          const host = toHost(row)
          found.set(row.id, host).set(row.name, host)
        }
        return found
      }
    )
  )

  const find = (info: HostInfo, event?: number | null) =>
    event === null || event === undefined ? findCurrent(info) : Effect.map(
      sql<HostRow>`
        SELECT ${hostColumns} FROM host_config JOIN host ON host.id = host_config.host_id
         WHERE ${Versioned.activeAt(sql, event, "host_config")} AND ${hostKey(info)}`,
      (rows) => rows[0] === undefined ? undefined : toHost(rows[0])
    )

  const wants = (info: HostInfo, event?: number | null): ReadonlyArray<Lookup.Want> =>
    event === null || event === undefined ? [findCurrent.want(info)] : []

  const require = (info: HostInfo, event?: number | null) =>
    Effect.flatMap(find(info, event), (host) =>
      host === undefined
        ? Effect.fail(new GenericError({ message: `Invalid hostInfo: ${pythonStr(info)}` }))
        : Effect.succeed(host))

  const byUser = (userId: number) =>
    Effect.map(
      sql<HostRow>`
        SELECT ${hostColumns} FROM host_config JOIN host ON host.id = host_config.host_id
         WHERE host_config.active IS TRUE AND host.user_id = ${userId} ORDER BY host.id LIMIT 1`,
      (rows) => rows[0] === undefined ? undefined : toHost(rows[0])
    )

  const channelKey = (info: ChannelInfo) =>
    typeof info === "number" ? sql`channels.id = ${info}` : sql`channels.name = ${info}`

  const findChannel = (info: ChannelInfo) =>
    Effect.map(
      sql<ChannelRow>`
        SELECT channels.id, channels.name, channels.description, channels.enabled, channels.comment
          FROM channels WHERE ${channelKey(info)}`,
      (rows) => rows[0] === undefined ? undefined : toChannel(rows[0])
    )

  const requireChannel = (info: ChannelInfo) =>
    Effect.flatMap(findChannel(info), (channel) =>
      channel === undefined
        ? Effect.fail(new GenericError({ message: "query returned no rows" }))
        : Effect.succeed(channel))

  const list = (options: ListOptions) =>
    Effect.gen(function*() {
      const opts = options.queryOpts ?? {}
      if (opts.group) return yield* new GenericError({ message: "queryOpts.group is not available for this API" })
      const clauses: Array<Statement.Fragment> = [sql`host_config.active IS TRUE`]
      if (options.arches !== null && options.arches !== undefined) {
        const arches = typeof options.arches === "string" ? [options.arches] : options.arches
        if (arches.length === 0 || (typeof options.arches === "string" && options.arches === "")) {
          return yield* new GenericError({ message: "arches option cannot be empty" })
        }
        // any of the host's arches is one of those asked for (whole names: 'ppc' does not match 'ppc64')
        clauses.push(sql`EXISTS (
          SELECT 1 FROM unnest(regexp_split_to_array(host_config.arches, '[[:space:]]+')) AS a(arch)
           WHERE a.arch IN ${sql.in(arches)})`)
      }
      if (options.channel !== null && options.channel !== undefined) {
        const channel = yield* findChannel(options.channel)
        if (channel === undefined) {
          return yield* new GenericError({
            message: `No such entry in table channels: ${pythonStr(options.channel)}`
          })
        }
        clauses.push(sql`EXISTS (
          SELECT 1 FROM host_channels hc
           WHERE hc.host_id = host.id AND hc.channel_id = ${channel.id} AND hc.active IS TRUE)`)
      }
      if (options.ready !== null && options.ready !== undefined) {
        clauses.push(options.ready ? sql`host.ready IS TRUE` : sql`host.ready IS FALSE`)
      }
      if (options.enabled !== null && options.enabled !== undefined) {
        clauses.push(options.enabled ? sql`host_config.enabled IS TRUE` : sql`host_config.enabled IS FALSE`)
      }
      if (options.user !== null && options.user !== undefined) {
        const user = yield* users.require(options.user)
        clauses.push(sql`host.user_id = ${user.id}`)
      }
      const terms: Array<string> = []
      for (const raw of (opts.order ?? "").split(",").map((t) => t.trim()).filter((t) => t.length > 0)) {
        const descending = raw.startsWith("-")
        const field = descending ? raw.slice(1) : raw
        const column = hostOrderColumns[field]
        if (column === undefined) return yield* new ParameterError({ message: `Invalid order term: ${field}` })
        terms.push(`${column}${descending ? " DESC" : ""}`)
      }
      terms.push("host.id")
      const where = sql.and(clauses)
      const offset = opts.offset ? sql`OFFSET ${opts.offset}` : sql.literal("")
      const limit = opts.limit ? sql`LIMIT ${opts.limit}` : sql.literal("")
      if (opts.countOnly) {
        const [row] = yield* sql<{ n: number }>`
          SELECT count(*)::int AS n FROM (
            SELECT host.id FROM host_config JOIN host ON host.id = host_config.host_id
             WHERE ${where} ${offset} ${limit}) numrows`
        return row!.n
      }
      const rows = yield* sql<HostRow>`
        SELECT ${hostColumns} FROM host_config JOIN host ON host.id = host_config.host_id
         WHERE ${where} ORDER BY ${sql.literal(terms.join(", "))} ${offset} ${limit}`
      return rows.map(toHost)
    })

  const add: Hosts["Type"]["add"] = (options, actorId) =>
    transaction(Effect.gen(function*() {
      const { hostname } = options
      yield* verifyInternalName(hostname)
      yield* verifyUserName(hostname)
      const arches = yield* parseArches(options.arches.join(" "))
      if ((yield* find(hostname)) !== undefined) {
        return yield* new GenericError({ message: `host already exists: ${hostname}` })
      }
      const [defaultChannel] = yield* sql<{ id: number }>`SELECT id FROM channels WHERE name = 'default'`
      if (defaultChannel === undefined) return yield* new GenericError({ message: "query returned no rows" })
      // the host's user may exist already (a host that tried to log in before it was added)
      const krbPrincipal = options.krbPrincipal ?? null
      const user = yield* users.find(krbPrincipal ? { name: hostname, krb_principal: krbPrincipal } : { name: hostname })
      let userId: number
      if (user !== undefined) {
        if (user.usertype !== UserType.HOST) {
          if (options.force && user.usertype === UserType.NORMAL) {
            yield* sql`UPDATE users SET usertype = ${UserType.HOST} WHERE id = ${user.id}`
          } else {
            return yield* new GenericError({ message: `user ${hostname} already exists and it is not a host` })
          }
        }
        userId = user.id
      } else {
        userId = yield* users.create({ name: hostname, usertype: UserType.HOST, krbPrincipal })
      }
      const [row] = yield* sql<{ id: number }>`
        INSERT INTO host ${sql.insert({ user_id: userId, name: hostname })} RETURNING id`
      const hostId = row!.id
      yield* Versioned.insert("host_config", { host_id: hostId, arches: arches.join(" ") }, actorId)
      yield* Versioned.insert("host_channels", { host_id: hostId, channel_id: defaultChannel.id }, actorId)
      return hostId
    }))

  const configOf = (host: Host) => ({
    arches: host.arches,
    capacity: host.capacity,
    description: host.description,
    comment: host.comment,
    enabled: host.enabled
  })

  const edit: Hosts["Type"]["edit"] = (info, changes, actorId) =>
    transaction(Effect.gen(function*() {
      const host = yield* require(info)
      const config: Record<string, unknown> = configOf(host)
      const changed = (["arches", "capacity", "description", "comment"] as const).filter((field) =>
        changes[field] !== undefined && changes[field] !== config[field]
      )
      if (changed.length === 0) return false
      for (const field of changed) {
        if (field !== "capacity") yield* notNone(changes[field])
        config[field] = changes[field]
      }
      yield* Versioned.replace("host_config", { host_id: host.id }, config, actorId)
      return true
    }))

  const setEnabled: Hosts["Type"]["setEnabled"] = (hostname, enabled, actorId) =>
    transaction(Effect.gen(function*() {
      const host = yield* find(hostname)
      if (host === undefined) return yield* new GenericError({ message: `host does not exist: ${pythonStr(hostname)}` })
      yield* Versioned.replace("host_config", { host_id: host.id }, { ...configOf(host), enabled }, actorId)
      yield* withSql(EventStream.publish({ kind: "host.ready", host_id: host.id, data: { enabled } }))
    }))

  const update: Hosts["Type"]["update"] = (hostId, report) =>
    sql.withTransaction(Effect.gen(function*() {
      const [row] = yield* sql<{ was: boolean | null }>`
        UPDATE host SET task_load = ${report.taskLoad}, ready = ${report.ready}, update_time = now()
          FROM (SELECT ready AS was FROM host WHERE id = ${hostId}) old
         WHERE host.id = ${hostId} RETURNING old.was`
      if (row !== undefined && row.was !== report.ready) {
        // the scheduler runs when a host becomes ready
        yield* withSql(EventStream.publish({ kind: "host.ready", host_id: hostId, data: { ready: report.ready } }))
      }
      if (report.data !== null && report.data !== undefined) {
        yield* sql`
          INSERT INTO scheduler_host_data (host_id, data) VALUES (${hostId}, ${JSON.stringify(report.data)}::jsonb)
          ON CONFLICT (host_id) DO UPDATE SET data = EXCLUDED.data`
      }
    }))

  const hostData = (hostId: number) =>
    Effect.map(
      sql<{ data: unknown }>`SELECT data FROM scheduler_host_data WHERE host_id = ${hostId}`,
      (rows) => {
        const data = rows[0]?.data ?? null
        return typeof data === "string" ? JSON.parse(data) as unknown : data
      }
    )

  const channelIds = (hostId: number, event?: number | null) =>
    Effect.map(
      sql<{ channel_id: number }>`
        SELECT channel_id FROM host_channels
         WHERE host_id = ${hostId} AND ${Versioned.activeAt(sql, event)} ORDER BY channel_id`,
      (rows) => rows.map((r) => r.channel_id)
    )

  const isMember = (hostId: number, channelId: number) =>
    Effect.map(channelIds(hostId), (ids) => ids.includes(channelId))

  const listChannels: Hosts["Type"]["listChannels"] = (options) =>
    Effect.gen(function*() {
      const enabled = options.enabled === null || options.enabled === undefined
        ? sql`TRUE`
        : options.enabled
        ? sql`channels.enabled IS TRUE`
        : sql`channels.enabled IS FALSE`
      const columns = sql`channels.id, channels.name, channels.description, channels.enabled, channels.comment`
      // Koji tests the host for truth: 0 and "" mean "every channel"
      if (options.host !== null && options.host !== undefined && options.host !== 0 && options.host !== "") {
        const hostId = typeof options.host === "string" ? (yield* require(options.host)).id : options.host
        const rows = yield* sql<ChannelRow>`
          SELECT ${columns} FROM host_channels JOIN channels ON channels.id = host_channels.channel_id
           WHERE ${Versioned.activeAt(sql, options.event, "host_channels")}
             AND host_channels.host_id = ${hostId} AND ${enabled}
           ORDER BY channels.id`
        return rows.map(toChannel)
      }
      if (options.event) {
        return yield* new GenericError({ message: "list_channels with event and not host is not allowed." })
      }
      const rows = yield* sql<ChannelRow>`SELECT ${columns} FROM channels WHERE ${enabled} ORDER BY channels.id`
      return rows.map(toChannel)
    })

  const duplicate = (channel: Channel) =>
    new GenericError({ message: `channel ${channel.name} already exists (id=${channel.id})` })

  const addChannel: Hosts["Type"]["addChannel"] = (name, description) =>
    transaction(Effect.gen(function*() {
      yield* verifyInternalName(name)
      const existing = yield* findChannel(name)
      if (existing !== undefined) return yield* duplicate(existing)
      const [row] = yield* sql<{ id: number }>`
        INSERT INTO channels ${sql.insert({ name, description })} RETURNING id`
      return row!.id
    }))

  const editChannel: Hosts["Type"]["editChannel"] = (info, changes) =>
    transaction(Effect.gen(function*() {
      const channel = yield* requireChannel(info)
      const current: Record<string, unknown> = { ...channel }
      const changed = (["description", "comment", "name"] as const).filter((field) =>
        changes[field] !== undefined && changes[field] !== current[field]
      )
      if (changed.length === 0) return false
      if (changed.includes("name") && changes.name) {
        yield* verifyInternalName(changes.name)
        const existing = yield* findChannel(changes.name)
        if (existing !== undefined) return yield* duplicate(existing)
      }
      if (changes.description !== undefined) yield* notNone(changes.description)
      if (changes.comment !== undefined) yield* notNone(changes.comment)
      const values: Record<string, unknown> = {}
      for (const field of changed) values[field] = changes[field]
      yield* sql`UPDATE channels SET ${sql.update(values)} WHERE id = ${channel.id}`
      return true
    }))

  const setChannelEnabled: Hosts["Type"]["setChannelEnabled"] = (info, enabled, comment) =>
    Effect.gen(function*() {
      const channel = yield* findChannel(info)
      if (channel === undefined) return yield* new GenericError({ message: `No such channel: ${pythonStr(info)}` })
      yield* comment === null
        ? sql`UPDATE channels SET enabled = ${enabled} WHERE id = ${channel.id}`
        : sql`UPDATE channels SET enabled = ${enabled}, comment = ${comment} WHERE id = ${channel.id}`
    })

  const addToChannel: Hosts["Type"]["addToChannel"] = (hostname, channelInfo, options, actorId) =>
    transaction(Effect.gen(function*() {
      const host = yield* find(hostname)
      if (host === undefined) return yield* new GenericError({ message: `host does not exist: ${pythonStr(hostname)}` })
      if (options.create) yield* verifyInternalName(channelInfo)
      let channel = yield* findChannel(channelInfo)
      if (channel === undefined && options.create && typeof channelInfo === "string") {
        const [row] = yield* sql<ChannelRow>`
          INSERT INTO channels ${sql.insert({ name: channelInfo })}
          RETURNING id, name, description, enabled, comment`
        channel = toChannel(row!)
      }
      if (channel === undefined) {
        return yield* new GenericError({ message: `channel does not exist: ${pythonStr(channelInfo)}` })
      }
      if (!options.force && !channel.enabled) {
        return yield* new GenericError({ message: `channel ${pythonStr(channelInfo)} is disabled` })
      }
      if (yield* isMember(host.id, channel.id)) {
        return yield* new GenericError({
          message: `host ${pythonStr(hostname)} is already subscribed to the ${pythonStr(channelInfo)} channel`
        })
      }
      yield* Versioned.insert("host_channels", { host_id: host.id, channel_id: channel.id }, actorId)
    }))

  const removeFromChannel: Hosts["Type"]["removeFromChannel"] = (hostname, channelInfo, actorId) =>
    transaction(Effect.gen(function*() {
      const host = yield* find(hostname)
      if (host === undefined) return yield* new GenericError({ message: `host does not exist: ${pythonStr(hostname)}` })
      const channel = yield* findChannel(channelInfo)
      if (channel === undefined) {
        return yield* new GenericError({ message: `channel does not exist: ${pythonStr(channelInfo)}` })
      }
      if (!(yield* isMember(host.id, channel.id))) {
        return yield* new GenericError({
          message: `host ${pythonStr(hostname)} is not subscribed to the ${pythonStr(channelInfo)} channel`
        })
      }
      yield* Versioned.revoke("host_channels", { host_id: host.id, channel_id: channel.id }, actorId)
    }))

  return Hosts.of({
    find,
    wants,
    require,
    byUser,
    list,
    add,
    edit,
    setEnabled,
    update,
    hostData,
    findChannel,
    requireChannel,
    listChannels,
    channelIds,
    isMember,
    addChannel,
    editChannel,
    setChannelEnabled,
    addToChannel,
    removeFromChannel
  })
})

/**
 * The service alone (needs `Users`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutUsers: Layer.Layer<Hosts, never, SqlClient.SqlClient | Users> = Layer.effect(Hosts, make)

/**
 * The service with the `Users` service it uses.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Hosts, never, SqlClient.SqlClient> = layerWithoutUsers.pipe(Layer.provide(usersLayer))
