/**
 * `list-history`: the versioned tables' history (`queryHistory`) as Koji's CLI
 * prints it — one line per create or revoke, in event order, a revoke and a
 * create of the same row in one event shown as one edit ("re-tagged",
 * "altered", "updated").
 *
 * @since 0.1.0
 */
import { Options } from "@effect/cli"
import { Effect, Option } from "effect"
import * as Handler from "../Handler.js"
import { error, print, Session, usageError, warn } from "../Session.js"
import { pyStr } from "../TaskLabel.js"
import { asctimeLocal, timeOption } from "./BuildFormat.js"

type Row = Record<string, unknown>

/** An entry of the timeline: `[event, table, create (1) or revoke (0), row]`. */
type Entry = readonly [number, string, 0 | 1, Row]

/**
 * The columns naming a row of each versioned table (Koji's `_table_keys`).
 *
 * @since 0.1.0
 * @category constants
 */
export const tableKeys: Readonly<Record<string, ReadonlyArray<string>>> = {
  user_perms: ["user_id", "perm_id"],
  user_groups: ["user_id", "group_id"],
  cg_users: ["user_id", "cg_id"],
  tag_inheritance: ["tag_id", "parent_id"],
  tag_config: ["tag_id"],
  tag_extra: ["tag_id", "key"],
  build_target_config: ["build_target_id"],
  external_repo_config: ["external_repo_id"],
  external_repo_data: ["external_repo_id"],
  host_config: ["host_id"],
  host_channels: ["host_id", "channel_id"],
  tag_external_repos: ["tag_id", "external_repo_id"],
  tag_listing: ["build_id", "tag_id"],
  tag_packages: ["package_id", "tag_id"],
  tag_package_owners: ["package_id", "tag_id"],
  group_config: ["group_id", "tag_id"],
  group_req_listing: ["group_id", "tag_id", "req_id"],
  group_package_listing: ["group_id", "tag_id", "package"]
}

// [edit, create, revoke] formats per table, with %(field)s placeholders
const formats: Readonly<Record<string, readonly [string | null, string, string]>> = {
  tag_listing: [
    "%(name)s-%(version)s-%(release)s re-tagged into %(tag.name)s",
    "%(name)s-%(version)s-%(release)s tagged into %(tag.name)s",
    "%(name)s-%(version)s-%(release)s untagged from %(tag.name)s"
  ],
  user_perms: [
    "permission %(permission.name)s re-granted to %(user.name)s",
    "permission %(permission.name)s granted to %(user.name)s",
    "permission %(permission.name)s revoked for %(user.name)s"
  ],
  user_groups: [
    "user %(user.name)s re-added to group %(group.name)s",
    "user %(user.name)s added to group %(group.name)s",
    "user %(user.name)s removed from group %(group.name)s"
  ],
  cg_users: [
    "user %(user.name)s re-added to content generator %(content_generator.name)s",
    "user %(user.name)s added to content generator %(content_generator.name)s",
    "user %(user.name)s removed from content generator %(content_generator.name)s"
  ],
  tag_packages: [
    "package list entry for %(package.name)s in %(tag.name)s updated",
    "package list entry created: %(package.name)s in %(tag.name)s",
    "package list entry revoked: %(package.name)s in %(tag.name)s"
  ],
  tag_package_owners: [
    "package owner changed for %(package.name)s in %(tag.name)s",
    "package owner %(owner.name)s set for %(package.name)s in %(tag.name)s",
    "package owner %(owner.name)s revoked for %(package.name)s in %(tag.name)s"
  ],
  tag_inheritance: [
    "inheritance line %(tag.name)s->%(parent.name)s updated",
    "inheritance line %(tag.name)s->%(parent.name)s added",
    "inheritance line %(tag.name)s->%(parent.name)s removed"
  ],
  tag_config: ["tag configuration for %(tag.name)s altered", "new tag: %(tag.name)s", "tag deleted: %(tag.name)s"],
  tag_extra: [
    "tag option %(key)s for tag %(tag.name)s altered",
    "added tag option %(key)s for tag %(tag.name)s",
    "tag option %(key)s removed for %(tag.name)s"
  ],
  host_config: ["host configuration for %(host.name)s altered", "new host: %(host.name)s", "host deleted: %(host.name)s"],
  host_channels: [
    null,
    "host %(host.name)s added to channel %(channels.name)s",
    "host %(host.name)s removed from channel %(channels.name)s"
  ],
  build_target_config: [
    "build target configuration for %(build_target.name)s updated",
    "new build target: %(build_target.name)s",
    "build target deleted: %(build_target.name)s"
  ],
  external_repo_config: [
    "external repo configuration for %(external_repo.name)s altered",
    "new external repo: %(external_repo.name)s",
    "external repo deleted: %(external_repo.name)s"
  ],
  external_repo_data: [
    "tracking data for external repo %(external_repo.name)s altered",
    "new tracking data for external repo %(external_repo.name)s",
    "deleted tracking data for external repo %(external_repo.name)s"
  ],
  tag_external_repos: [
    "external repo entry for %(external_repo.name)s in tag %(tag.name)s updated",
    "external repo entry for %(external_repo.name)s added to tag %(tag.name)s",
    "external repo entry for %(external_repo.name)s removed from tag %(tag.name)s"
  ],
  group_config: [
    "group %(group.name)s configuration for tag %(tag.name)s updated",
    "group %(group.name)s added to tag %(tag.name)s",
    "group %(group.name)s removed from tag %(tag.name)s"
  ],
  group_req_listing: [
    "group dependency %(group.name)s->%(req.name)s updated in tag %(tag.name)s",
    "group dependency %(group.name)s->%(req.name)s added in tag %(tag.name)s",
    "group dependency %(group.name)s->%(req.name)s dropped from tag %(tag.name)s"
  ],
  group_package_listing: [
    "package entry %(package)s in group %(group.name)s, tag %(tag.name)s updated",
    "package %(package)s added to group %(group.name)s in tag %(tag.name)s",
    "package %(package)s removed from group %(group.name)s in tag %(tag.name)s"
  ]
}

// Python's `fmt % row` for %(key)s
const fill = (fmt: string, row: Row) => fmt.replace(/%\(([^)]+)\)s/g, (_, key: string) => pyStr(row[key]))

const hiddenFields = new Set([
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

const nameKey = (key: string) =>
  key === "perm_id" ? "permission.name" : key.endsWith("_id") ? `${key.slice(0, -3)}.name` : `${key}.name`

interface PrintOptions {
  readonly utc: boolean
  readonly events: boolean
  readonly verbose: boolean
  readonly debug: boolean
}

/**
 * The lines Koji's `_print_histline` prints for one timeline entry (and the edit it
 * stands for, in `related`).
 *
 * @since 0.1.0
 * @category formatting
 */
export const historyLines = (entry: Entry, related: ReadonlyArray<Entry>, options: PrintOptions): Array<string> => {
  const [eventId, table, create, x] = entry
  const edit = related.length > 0
  const other = related[0]
  if (edit) {
    let bad: string | undefined
    if (related.length !== 1) bad = `${related.length + 1} elements`
    if (create || !other![2]) bad = "out of order"
    if (eventId !== other![0]) bad = "non-matching"
    if (bad !== undefined) {
      // Koji warns and prints them as separate entries
      return [
        `Unusual edit at event ${eventId} in table ${table} (${bad})`,
        ...historyLines(entry, [], options),
        ...related.flatMap((e) => historyLines(e, [], options))
      ]
    }
  }
  const ts = Number(create ? x["create_ts"] : x["revoke_ts"])
  const who = create ? ("creator_name" in x ? `by ${pyStr(x["creator_name"])}` : undefined) : ("revoker_name" in x
    ? `by ${pyStr(x["revoker_name"])}`
    : undefined)
  const known = formats[table]
  const fmt = known === undefined
    ? edit ? `${table} entry updated` : create ? `${table} entry created` : `${table} entry revoked`
    : edit && known[0] !== null
    ? known[0]
    : create
    ? known[1]
    : known[2]
  const parts = [asctimeLocal(ts, options.utc), fill(fmt, x)]
  if (options.events || options.verbose) parts.splice(1, 0, `(eid ${eventId})`)
  if (who !== undefined) parts.push(who)
  if ((create && x["active"]) || (edit && other![3]["active"])) parts.push("[still active]")
  const lines = [parts.join(" ")]
  if (edit) {
    const y = other![3]
    for (const key of Object.keys(x).sort()) {
      if (hiddenFields.has(key) || key.startsWith("_")) continue
      if (x[key] === y[key]) continue
      const nkey = nameKey(key)
      if (nkey in x && nkey in y) continue
      lines.push(`    ${key}: ${pyStr(x[key])} -> ${pyStr(y[key])}`)
    }
  } else if (create && options.verbose && table !== "tag_listing") {
    const alsoHidden = new Set([...(tableKeys[table] ?? []), ...(tableKeys[table] ?? []).map(nameKey)])
    for (const key of Object.keys(x).sort()) {
      if (hiddenFields.has(key) || alsoHidden.has(key) || key.startsWith("_")) continue
      if (nameKey(key) in x) continue
      if (x["blocked"] && key !== "blocked") continue
      lines.push(`    ${key.endsWith(".name") ? key.slice(0, -5) : key}: ${pyStr(x[key])}`)
    }
  }
  return lines
}

/**
 * Koji's timeline of a `queryHistory` answer: creates and revokes in event order
 * (table, then revokes first), a revoke and a create of the same row in one event
 * grouped as an edit. `context` keeps the entries a time or event filter did not
 * match.
 *
 * @since 0.1.0
 * @category formatting
 */
export const timeline = (
  history: Readonly<Record<string, ReadonlyArray<Row>>>,
  context: boolean
): Array<{ readonly entry: Entry; readonly related: Array<Entry> }> => {
  const matches = (x: Row, name: "created" | "revoked") =>
    context || Object.keys(x).filter((k) => k.startsWith(`_${name}`)).every((k) => Boolean(x[k]))
  const entries: Array<Entry> = []
  for (const [table, rows] of Object.entries(history)) {
    for (const x of rows) {
      if (x["revoke_event"] !== null && x["revoke_event"] !== undefined && matches(x, "revoked")) {
        entries.push([Number(x["revoke_event"]), table, 0, { ...x }])
      }
      if (matches(x, "created")) entries.push([Number(x["create_event"]), table, 1, x])
    }
  }
  entries.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || a[2] - b[2])
  const result: Array<{ entry: Entry; related: Array<Entry> }> = []
  const index = new Map<string, { entry: Entry; related: Array<Entry> }>()
  let lastEvent: number | undefined
  for (const entry of entries) {
    const [eventId, table, , x] = entry
    if (eventId !== lastEvent) {
      index.clear()
      lastEvent = eventId
    }
    const key = JSON.stringify([table, ...(tableKeys[table] ?? []).map((k) => x[k])])
    const previous = index.get(key)
    if (previous !== undefined) previous.related.push(entry)
    else {
      const item = { entry, related: [] as Array<Entry> }
      index.set(key, item)
      result.push(item)
    }
  }
  return result
}

const text = (name: string, description: string) =>
  Options.text(name).pipe(Options.optional, Options.withDescription(description))

/**
 * `list-history`.
 *
 * @since 0.1.0
 * @category commands
 */
export const listHistory = Handler.make("list-history", {
  category: "info",
  summary: "Display historical data",
  usage: "list-history [options]",
  anonymous: true
}, {
  build: text("build", "Only show data for a specific build"),
  package: text("package", "Only show data for a specific package"),
  tag: text("tag", "Only show data for a specific tag"),
  editor: text("editor", "Only show entries modified by user").pipe(Options.withAlias("by")),
  user: text("user", "Only show entries affecting a user"),
  permission: text("permission", "Only show entries relating to a given permission"),
  cg: text("cg", "Only show entries relating to a given content generator"),
  external_repo: text("external-repo", "Only show entries relating to a given external repo").pipe(Options.withAlias("erepo")),
  build_target: text("build-target", "Only show entries relating to a given build target").pipe(Options.withAlias("target")),
  group: text("group", "Only show entries relating to a given group"),
  host: text("host", "Only show entries related to given host"),
  channel: text("channel", "Only show entries related to given channel"),
  xkey: text("xkey", "Only show entries related to given tag extra key"),
  before: text("before", "Only show entries before this time"),
  after: text("after", "Only show entries after timestamp (same format as for --before)"),
  beforeEvent: Options.integer("before-event").pipe(Options.optional, Options.withDescription("Only show entries before event")),
  afterEvent: Options.integer("after-event").pipe(Options.optional, Options.withDescription("Only show entries after event")),
  active: Options.boolean("active").pipe(Options.withDescription("Only show entries that are currently active")),
  revoked: Options.boolean("revoked").pipe(Options.withDescription("Only show entries that are currently revoked")),
  context: Options.boolean("context").pipe(Options.withDescription("Show related entries")),
  show: Options.text("show").pipe(Options.withAlias("s"), Options.repeated, Options.withDescription("Show data from selected tables")),
  verbose: Options.boolean("verbose").pipe(Options.withAlias("v"), Options.withDescription("Show more detail")),
  events: Options.boolean("events").pipe(Options.withAlias("e"), Options.withDescription("Show event ids")),
  watch: Options.boolean("watch").pipe(Options.withDescription("Monitor history data")),
  all: Options.boolean("all").pipe(Options.withDescription("Allows listing the entire global history")),
  utc: Options.boolean("utc").pipe(Options.withDescription("Shows time in UTC timezone"))
}, (options) =>
  Effect.gen(function*() {
    const session = yield* Session
    const kwargs: Record<string, unknown> = {}
    let limited = false
    const filters = [
      "package",
      "tag",
      "build",
      "editor",
      "user",
      "permission",
      "cg",
      "external_repo",
      "build_target",
      "group",
      "host",
      "channel",
      "xkey"
    ] as const
    for (const name of filters) {
      const value = options[name]
      if (Option.isSome(value) && value.value) {
        kwargs[name] = value.value
        limited = true
      }
    }
    const before = yield* timeOption("before", options.before)
    if (before) {
      kwargs["before"] = before
      limited = true
    }
    const after = yield* timeOption("after", options.after)
    if (after) {
      kwargs["after"] = after
      limited = true
    }
    if (Option.isSome(options.beforeEvent) && options.beforeEvent.value) kwargs["beforeEvent"] = options.beforeEvent.value
    if (Option.isSome(options.afterEvent) && options.afterEvent.value) kwargs["afterEvent"] = options.afterEvent.value
    // optparse: the last of --active / --revoked given wins; both given here count as --revoked
    if (options.revoked) kwargs["active"] = false
    else if (options.active) kwargs["active"] = true
    const tables = options.show.length > 0 ? options.show.flatMap((s) => s.split(",")) : null
    if (!limited && !options.all) return yield* usageError("Please specify an option to limit the query")
    yield* session.ensureConnection
    if (Option.isSome(options.host) && (yield* session.call("getHost", { hostInfo: options.host.value })) === null) {
      return yield* error(`No such host: ${options.host.value}`)
    }
    if (Option.isSome(options.channel) && (yield* session.call("getChannel", { channelInfo: options.channel.value })) === null) {
      return yield* error(`No such channel: ${options.channel.value}`)
    }
    if (options.watch && !kwargs["afterEvent"] && !kwargs["after"]) {
      kwargs["afterEvent"] = (yield* session.call("getLastEvent", {})).id
    }
    const print_ = { utc: options.utc, events: options.events, verbose: options.verbose, debug: false }
    while (true) {
      const history: Record<string, ReadonlyArray<Row>> = yield* session.call("queryHistory", { tables, ...kwargs })
      let lastEvent: number | undefined
      for (const { entry, related } of timeline(history, options.context)) {
        lastEvent = entry[0]
        const lines = historyLines(entry, related, print_)
        if (lines[0]!.startsWith("Unusual edit at event")) {
          yield* warn(lines[0]!)
          for (const line of lines.slice(1)) yield* print(line)
        } else {
          for (const line of lines) yield* print(line)
        }
      }
      if (!options.watch) return
      // --watch: poll for later events
      yield* Effect.sleep(`${session.settings.poll_interval} seconds`)
      if (lastEvent !== undefined) kwargs["afterEvent"] = lastEvent
    }
  }))
