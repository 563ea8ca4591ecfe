/**
 * Hosts and channels: `add-host`, `edit-host`, `enable-host`, `disable-host`,
 * `list-hosts`, `hostinfo`, `add-channel`, `edit-channel`, `enable-channel`,
 * `disable-channel`, `list-channels`, `add-host-to-channel`, `remove-host-from-channel`.
 *
 * @since 0.1.0
 */
import { Args, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import * as Errors from "../../domain/Errors.js"
import * as Format from "../Format.js"
import * as Handler from "../Handler.js"
import { error, print, Session, usageError, warn } from "../Session.js"

interface HostInfo {
  readonly id: number
  readonly name: string
  readonly update_ts: number | null
  readonly ready: boolean
  readonly task_load: number
  readonly arches: string
  readonly capacity: number
  readonly description: string | null
  readonly comment: string | null
  readonly enabled: boolean
}

interface ChannelInfo {
  readonly id: number
  readonly name: string
  readonly description?: string | null
  readonly enabled?: boolean | null
  readonly comment?: string | null
}

const json = Options.boolean("json").pipe(Options.withDescription("Print the result as JSON"))

const optionalText = (name: string, description: string) =>
  Options.text(name).pipe(Options.optional, Options.withDescription(description))

const byName = <A extends { readonly name: string }>(a: A, b: A) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

const yesno = (b: boolean) => (b ? "Y" : "N")

/**
 * Koji's `parse_arches`: a comma- or space-separated list to a space-separated string.
 *
 * @since 0.1.0
 * @category combinators
 */
export const parseArches = (arches: string): Effect.Effect<string, Errors.GenericError> => {
  const list = arches.replace(/,/g, " ").split(/\s+/).filter((a) => a !== "")
  return list.every((a) => /^[a-zA-Z0-9_-]*$/.test(a))
    ? Effect.succeed(list.join(" "))
    : Effect.fail(new Errors.GenericError({ message: "Architecture can be only [a-zA-Z0-9_-]" }))
}

const getHost = (hostInfo: string | number) =>
  Effect.flatMap(Session, (s) => s.call("getHost", { hostInfo }) as Effect.Effect<HostInfo | null>)

const getChannel = (channelInfo: string | number) =>
  Effect.flatMap(Session, (s) => s.call("getChannel", { channelInfo, strict: false }) as Effect.Effect<ChannelInfo | null>)

/**
 * `add-host`.
 *
 * @since 0.1.0
 * @category commands
 */
export const addHost = Handler.make("add-host", {
  category: "admin",
  summary: "Add a host",
  usage: "add-host [options] <hostname> <arch> [<arch> ...]"
}, {
  krbPrincipal: optionalText("krb-principal", "set a non-default kerberos principal for the host"),
  force: Options.boolean("force").pipe(Options.withDescription("if existing used is a regular user, convert it to a host")),
  hostname: Args.text({ name: "hostname" }),
  arches: Args.text({ name: "arch" }).pipe(Args.atLeast(1))
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    if ((yield* getHost(options.hostname)) !== null) {
      return yield* error(`${options.hostname} is already in the database`)
    }
    const id = yield* session.call("addHost", {
      hostname: options.hostname,
      arches: options.arches,
      force: options.force,
      ...(Option.isSome(options.krbPrincipal) ? { krb_principal: options.krbPrincipal.value } : {})
    })
    yield* print(`${options.hostname} added: id ${id}`)
  }))

/**
 * `edit-host`.
 *
 * @since 0.1.0
 * @category commands
 */
export const editHost = Handler.make("edit-host", {
  category: "admin",
  summary: "Edit a host",
  usage: "edit-host <hostname> [<hostname> ...] [options]"
}, {
  arches: optionalText("arches", "Space or comma-separated list of supported architectures"),
  capacity: Options.float("capacity").pipe(Options.optional, Options.withDescription("Capacity of this host")),
  description: optionalText("description", "Description of this host").pipe(Options.withPseudoName("DESC")),
  comment: optionalText("comment", "A brief comment about this host"),
  hosts: Args.text({ name: "hostname" }).pipe(Args.atLeast(1))
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const values: Record<string, unknown> = {}
    if (Option.isSome(options.arches)) values["arches"] = yield* parseArches(options.arches.value)
    if (Option.isSome(options.capacity)) values["capacity"] = options.capacity.value
    if (Option.isSome(options.description)) values["description"] = options.description.value
    if (Option.isSome(options.comment)) values["comment"] = options.comment.value
    let missing = false
    for (const host of options.hosts) {
      if ((yield* getHost(host)) === null) {
        yield* warn(`No such host: ${host}`)
        missing = true
      }
    }
    if (missing) return yield* error("No changes made, please correct the command line")
    for (const host of options.hosts) {
      const changed = yield* session.call("editHost", { hostInfo: host, ...values })
      yield* print(changed ? `Edited ${host}` : `No changes made to ${host}`)
    }
  }))

// enable-/disable-host and -channel: check every name first (Koji changes nothing when one is unknown),
// then apply the change to each
const stateCommand = (spec: {
  readonly name: string
  readonly noun: "host" | "channel"
  readonly summary: string
  readonly why: string
  readonly exists: (name: string) => Effect.Effect<boolean, any, any>
  readonly apply: (name: string, comment: Option.Option<string>) => Effect.Effect<unknown, any, any>
}) =>
  Handler.make(spec.name, {
    category: "admin",
    summary: spec.summary,
    usage: `${spec.name} [options] <${spec.noun}name> [<${spec.noun}name> ...]`
  }, {
    comment: optionalText("comment", `Comment indicating why the ${spec.noun}(s) are being ${spec.why}`),
    names: Args.text({ name: `${spec.noun}name` }).pipe(Args.atLeast(1))
  }, (options) =>
    Effect.gen(function*() {
      const session = yield* Session
      yield* session.activate
      let missing = false
      for (const name of options.names) {
        if (!(yield* spec.exists(name))) {
          yield* print(`No such ${spec.noun}: ${name}`)
          missing = true
        }
      }
      if (missing) return yield* error("No changes made. Please correct the command line.")
      for (const name of options.names) yield* spec.apply(name, options.comment)
    }))

const hostStateCommand = (name: "enable-host" | "disable-host", method: string, summary: string, why: string) =>
  stateCommand({
    name,
    noun: "host",
    summary,
    why,
    exists: (host) => Effect.map(getHost(host), (h) => h !== null),
    apply: (host, comment) =>
      Effect.gen(function*() {
        const session = yield* Session
        yield* session.call(method, { hostname: host })
        if (Option.isSome(comment)) yield* session.call("editHost", { hostInfo: host, comment: comment.value })
      })
  })

/**
 * `enable-host`.
 *
 * @since 0.1.0
 * @category commands
 */
export const enableHost = hostStateCommand("enable-host", "enableHost", "Mark one or more hosts as enabled", "enabled")

/**
 * `disable-host`.
 *
 * @since 0.1.0
 * @category commands
 */
export const disableHost = hostStateCommand("disable-host", "disableHost", "Mark one or more hosts as disabled", "disabled")

// --x / --not-x / --disabled: true, false, or not given (the last one given wins, as optparse's store)
const triState = (yes: boolean, ...no: ReadonlyArray<boolean>): boolean | undefined =>
  no.some((n) => n) ? false : yes ? true : undefined

const channelNames = (hostID: number) =>
  Effect.gen(function*() {
    const session = yield* Session
    const channels: ReadonlyArray<ChannelInfo> = yield* session.call("listChannels", { hostID })
    return channels
  })

/**
 * `list-hosts`.
 *
 * @since 0.1.0
 * @category commands
 */
export const listHosts = Handler.make("list-hosts", {
  category: "info",
  summary: "Print the host listing",
  usage: "list-hosts [options]",
  anonymous: true
}, {
  arch: Options.text("arch").pipe(Options.repeated, Options.withDescription("Specify an architecture")),
  channel: optionalText("channel", "Specify a channel"),
  ready: Options.boolean("ready").pipe(Options.withDescription("Limit to ready hosts")),
  notReady: Options.boolean("not-ready").pipe(Options.withDescription("Limit to not ready hosts")),
  enabled: Options.boolean("enabled").pipe(Options.withDescription("Limit to enabled hosts")),
  notEnabled: Options.boolean("not-enabled").pipe(Options.withDescription("Limit to not enabled hosts")),
  disabled: Options.boolean("disabled").pipe(Options.withDescription("Alias for --not-enabled")),
  quiet: Options.boolean("quiet").pipe(Options.withDescription("Do not print header information")),
  showChannels: Options.boolean("show-channels").pipe(Options.withDescription("Show host's channels")),
  comment: Options.boolean("comment").pipe(Options.withDescription("Show comments")),
  description: Options.boolean("description").pipe(Options.withDescription("Show descriptions")),
  json
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    const quiet = options.quiet || session.settings.quiet
    yield* session.ensureConnection
    const query: Record<string, unknown> = {}
    if (options.arch.length > 0) query["arches"] = options.arch
    if (Option.isSome(options.channel)) {
      const channel = yield* getChannel(options.channel.value)
      if (channel === null) return yield* usageError(`No such channel: ${options.channel.value}`)
      query["channelID"] = channel.id
    }
    const ready = triState(options.ready, options.notReady)
    if (ready !== undefined) query["ready"] = ready
    const enabled = triState(options.enabled, options.notEnabled, options.disabled)
    if (enabled !== undefined) query["enabled"] = enabled
    const hosts = [...(yield* session.call("listHosts", query) as Effect.Effect<ReadonlyArray<HostInfo>>)].sort(byName)
    if (hosts.length === 0) return yield* warn("No hosts found.")
    const channels = new Map<number, string>()
    if (options.showChannels) {
      for (const host of hosts) {
        const list = (yield* channelNames(host.id)).map((c) => c.enabled === false ? `*${c.name}` : c.name)
        channels.set(host.id, [...list].sort().join(","))
      }
    }
    if (options.json) {
      return yield* print(Format.jsonDumps(
        hosts.map((h) => options.showChannels ? { ...h, channels: channels.get(h.id)?.split(",").filter((c) => c) } : h)
      ))
    }
    const longest = Math.max(...hosts.map((h) => h.name.length))
    if (!quiet) {
      let header = Format.ljust("Hostname", longest) +
        " Enb Rdy Load/Cap  Arches           Last Update                         "
      if (options.description) header += Format.ljust("Description", 51)
      if (options.comment) header += Format.ljust("Comment", 51)
      if (options.showChannels) header += "Channels"
      yield* print(header)
      yield* print("-".repeat(header.length))
    }
    for (const host of hosts) {
      let line = `${Format.ljust(host.name, longest)} ${Format.ljust(yesno(host.enabled), 3)} ` +
        `${Format.ljust(yesno(host.ready), 3)} ${Format.fixed(host.task_load, 1, 4)}/` +
        `${Format.ljust(host.capacity.toFixed(1), 4)} ${Format.ljust(host.arches.split(/\s+/).filter((a) => a).join(","), 16)} ` +
        Format.ljust(host.update_ts === null ? "-" : Format.formatTimeLong(host.update_ts), 35)
      if (options.description) line += ` ${Format.ljust(Format.truncate(host.description), 50)}`
      if (options.comment) line += ` ${Format.ljust(Format.truncate(host.comment), 50)}`
      if (options.showChannels) line += ` ${channels.get(host.id) ?? ""}`
      yield* print(line)
    }
  }))

const buildroots = (hostID: number) =>
  Effect.gen(function*() {
    const session = yield* Session
    const rows: Array<readonly [string, string, string]> = []
    if (!(yield* session.canCall("listBuildroots"))) return rows
    const states = ["INIT", "WAITING", "BUILDING"] as const
    for (let state = 0; state < states.length; state++) {
      const list: ReadonlyArray<{ tag_name: string; id: number; repo_id: number; create_event_time: string }> = yield* session
        .call("listBuildroots", { hostID, state })
      for (const br of list) {
        const time = br.create_event_time
        rows.push([`${br.tag_name}-${br.id}-${br.repo_id}`, states[state]!, time.includes(".") ? time.slice(0, time.indexOf(".")) : time])
      }
    }
    return rows
  })

const multiline = (label: string, text: string | null) => {
  if (!text) return [`${label}:`]
  const lines = text.split(/\r?\n/)
  return [`${label}: ${lines[0]}`, ...lines.slice(1).map((l) => `${" ".repeat(label.length + 2)}${l}`)]
}

/**
 * `hostinfo`.
 *
 * @since 0.1.0
 * @category commands
 */
export const hostinfo = Handler.make("hostinfo", {
  category: "info",
  summary: "Print basic information about a host",
  usage: "hostinfo [options] <hostname> [<hostname> ...]",
  anonymous: true
}, {
  json,
  hosts: Args.text({ name: "hostname" }).pipe(Args.atLeast(1))
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.ensureConnection
    let missing = false
    const found = []
    for (const host of options.hosts) {
      const info = yield* getHost(/^\d+$/.test(host) ? Number(host) : host)
      if (info === null) {
        yield* warn(`No such host: ${host}\n`)
        missing = true
        continue
      }
      const channels = yield* channelNames(info.id)
      const active = yield* buildroots(info.id)
      if (options.json) {
        found.push({ ...info, channels: channels.map((c) => c.name), buildroots: active })
        continue
      }
      yield* print(`Name: ${info.name}`)
      yield* print(`ID: ${info.id}`)
      yield* print(`Arches: ${info.arches}`)
      yield* print(`Capacity: ${Format.pyFloat(info.capacity)}`)
      yield* print(`Task Load: ${info.task_load.toFixed(2)}`)
      for (const line of multiline("Description", info.description)) yield* print(line)
      for (const line of multiline("Comment", info.comment)) yield* print(line)
      yield* print(`Enabled: ${info.enabled ? "yes" : "no"}`)
      yield* print(`Ready: ${info.ready ? "yes" : "no"}`)
      yield* print(`Last Update: ${info.update_ts === null ? "never" : Format.formatTimeLong(info.update_ts)}`)
      yield* print(`Channels: ${channels.map((c) => c.name).join(" ")}`)
      yield* print("Active Buildroots:")
      if (active.length === 0) {
        yield* print("None")
      } else {
        for (const row of [["NAME", "STATE", "CREATION TIME"] as const, ...active]) {
          yield* print(`${Format.ljust(row[0], 50)} ${Format.ljust(row[1], 10)} ${Format.ljust(row[2], 20)}`)
        }
      }
    }
    if (options.json) yield* print(Format.jsonDumps(found))
    if (missing) return yield* error()
  }))

/**
 * `add-channel`.
 *
 * @since 0.1.0
 * @category commands
 */
export const addChannel = Handler.make("add-channel", {
  category: "admin",
  summary: "Add a channel",
  usage: "add-channel [options] <channel_name>"
}, {
  description: optionalText("description", "Description of channel"),
  name: Args.text({ name: "channel_name" })
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const id = yield* session.call("addChannel", {
      channel_name: options.name,
      description: Option.getOrNull(options.description)
    }).pipe(
      Effect.catchIf(
        (e) => Errors.isKojiError(e) && Errors.isA(e, "GenericError"),
        (e) => {
          const message = (e as Errors.KojiError).message
          return message.includes(`channel ${options.name} already exists`)
            ? error(`channel ${options.name} already exists`)
            : error(message)
        }
      )
    )
    yield* print(`${options.name} added: id ${id}`)
  }))

/**
 * `edit-channel`.
 *
 * @since 0.1.0
 * @category commands
 */
export const editChannel = Handler.make("edit-channel", {
  category: "admin",
  summary: "Edit a channel",
  usage: "edit-channel [options] <old-name>"
}, {
  name: optionalText("name", "New channel name"),
  description: optionalText("description", "Description of channel"),
  comment: optionalText("comment", "Comment of channel"),
  channel: Args.text({ name: "old-name" })
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const values: Record<string, unknown> = {}
    if (Option.isSome(options.name)) values["name"] = options.name.value
    if (Option.isSome(options.description)) values["description"] = options.description.value
    if (Option.isSome(options.comment)) values["comment"] = options.comment.value
    if ((yield* getChannel(options.channel)) === null) return yield* error(`No such channel: ${options.channel}`)
    const result = yield* session.call("editChannel", { channelInfo: options.channel, ...values }).pipe(
      Effect.catchIf(
        (e) => Errors.isKojiError(e) && Errors.isA(e, "GenericError"),
        (e) => Effect.as(warn((e as Errors.KojiError).message), null)
      )
    )
    if (!result) return yield* error("No changes made, please correct the command line")
  }))

const channelStateCommand = (name: "enable-channel" | "disable-channel", method: string, summary: string, why: string) =>
  stateCommand({
    name,
    noun: "channel",
    summary,
    why,
    exists: (channel) => Effect.map(getChannel(channel), (c) => c !== null),
    apply: (channel, comment) =>
      Effect.flatMap(Session, (session) =>
        session.call(method, { channelname: channel, comment: Option.getOrNull(comment) }))
  })

/**
 * `enable-channel`.
 *
 * @since 0.1.0
 * @category commands
 */
export const enableChannel = channelStateCommand(
  "enable-channel",
  "enableChannel",
  "Mark one or more channels as enabled",
  "enabled"
)

/**
 * `disable-channel`.
 *
 * @since 0.1.0
 * @category commands
 */
export const disableChannel = channelStateCommand(
  "disable-channel",
  "disableChannel",
  "Mark one or more channels as disabled",
  "disabled"
)

/**
 * `list-channels`.
 *
 * @since 0.1.0
 * @category commands
 */
export const listChannels = Handler.make("list-channels", {
  category: "info",
  summary: "Print channels listing",
  usage: "list-channels [options]",
  anonymous: true
}, {
  simple: Options.boolean("simple").pipe(Options.withDescription("Print just list of channels without additional info")),
  quiet: Options.boolean("quiet").pipe(Options.withDescription("Do not print header information")),
  comment: Options.boolean("comment").pipe(Options.withDescription("Show comments")),
  description: Options.boolean("description").pipe(Options.withDescription("Show descriptions")),
  enabled: Options.boolean("enabled").pipe(Options.withDescription("Limit to enabled channels")),
  notEnabled: Options.boolean("not-enabled").pipe(Options.withDescription("Limit to not enabled channels")),
  disabled: Options.boolean("disabled").pipe(Options.withDescription("Alias for --not-enabled")),
  arch: optionalText("arch", "Limit to channels with specific arch"),
  json
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    const quiet = options.quiet || session.settings.quiet
    yield* session.ensureConnection
    const enabled = triState(options.enabled, options.notEnabled, options.disabled)
    const list: ReadonlyArray<ChannelInfo> = yield* session.call("listChannels", enabled === undefined ? {} : { enabled })
    const channels = [...list].sort(byName)
    const first = channels[0]
    const rows = []
    for (const channel of channels) {
      const hosts: ReadonlyArray<HostInfo> = yield* session.call("listHosts", {
        channelID: channel.id,
        ...(Option.isSome(options.arch) ? { arches: [options.arch.value] } : {})
      })
      const enabledHosts = hosts.filter((h) => h.enabled).length
      const capacity = hosts.reduce((n, h) => n + h.capacity, 0)
      const load = hosts.reduce((n, h) => n + h.task_load, 0)
      rows.push({
        ...channel,
        name: first !== undefined && "enabled" in first && !channel.enabled ? `${channel.name} [disabled]` : channel.name,
        enabled_host: enabledHosts,
        disabled: hosts.length - enabledHosts,
        ready: hosts.filter((h) => h.ready).length,
        capacity,
        load,
        perc_load: capacity ? (load / capacity) * 100 : 0,
        comment: Format.truncate(channel.comment),
        description: Format.truncate(channel.description)
      })
    }
    if (options.json) {
      return yield* print(Format.jsonDumps(rows.map((r, i) => ({ ...r, name: channels[i]!.name }))))
    }
    const longest = rows.length > 0 ? Math.max(...rows.map((r) => r.name.length)) : 8
    if (options.simple) {
      if (!quiet) {
        yield* print("Channel")
        yield* print("-".repeat("Channel".length))
      }
      for (const row of rows) yield* print(row.name)
      return
    }
    const showDescription = options.description && first !== undefined && "description" in first
    const showComment = options.comment && first !== undefined && "comment" in first
    if (!quiet) {
      let header = `${Format.ljust("Channel", longest)}Enabled  Ready Disbld   Load    Cap   Perc    `
      if (showDescription) header += Format.ljust("Description", 53)
      if (showComment) header += Format.ljust("Comment", 53)
      yield* print(header)
      yield* print("-".repeat(header.length))
    }
    for (const row of rows) {
      let line = `${Format.ljust(row.name, longest)} ${Format.int(row.enabled_host, 6)} ${Format.int(row.ready, 6)} ` +
        `${Format.int(row.disabled, 6)} ${Format.int(row.load, 6)} ${Format.int(row.capacity, 6)} ${Format.int(row.perc_load, 6)}%`
      if (showDescription) line += `   ${Format.ljust(row.description, 50)}`
      if (showComment) line += `   ${Format.ljust(row.comment, 50)}`
      yield* print(line)
    }
  }))

/**
 * `add-host-to-channel`.
 *
 * @since 0.1.0
 * @category commands
 */
export const addHostToChannel = Handler.make("add-host-to-channel", {
  category: "admin",
  summary: "Add a host to a channel",
  usage: "add-host-to-channel [options] <hostname> <channel>"
}, {
  new: Options.boolean("new").pipe(Options.withDescription("Create channel if needed")),
  force: Options.boolean("force").pipe(Options.withDescription("force added, if possible")),
  hostname: Args.text({ name: "hostname" }),
  channel: Args.text({ name: "channel" })
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    if (!options.new && (yield* getChannel(options.channel)) === null) {
      return yield* error(`No such channel: ${options.channel}`)
    }
    if ((yield* getHost(options.hostname)) === null) return yield* error(`No such host: ${options.hostname}`)
    yield* session.call("addHostToChannel", {
      hostname: options.hostname,
      channel_name: options.channel,
      ...(options.new ? { create: true } : {}),
      ...(options.force ? { force: true } : {})
    })
  }))

/**
 * `remove-host-from-channel`.
 *
 * @since 0.1.0
 * @category commands
 */
export const removeHostFromChannel = Handler.make("remove-host-from-channel", {
  category: "admin",
  summary: "Remove a host from a channel",
  usage: "remove-host-from-channel [options] <hostname> <channel>"
}, {
  hostname: Args.text({ name: "hostname" }),
  channel: Args.text({ name: "channel" })
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    yield* session.activate
    const host = yield* getHost(options.hostname)
    if (host === null) return yield* error(`No such host: ${options.hostname}`)
    const channels = yield* channelNames(host.id)
    if (!channels.some((c) => c.name === options.channel)) {
      return yield* error(`Host ${options.hostname} is not a member of channel ${options.channel}`)
    }
    yield* session.call("removeHostFromChannel", { hostname: options.hostname, channel_name: options.channel })
  }))

/**
 * The host and channel commands.
 *
 * @since 0.1.0
 * @category commands
 */
export const commands: ReadonlyArray<Handler.Spec> = [
  addHost,
  editHost,
  enableHost,
  disableHost,
  listHosts,
  hostinfo,
  addChannel,
  editChannel,
  enableChannel,
  disableChannel,
  listChannels,
  addHostToChannel,
  removeHostFromChannel
]
