/**
 * Events area of the hub API (reference 4): the events that date every change of
 * versioned data, and the history of the versioned tables (`queryHistory`).
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { Event } from "../domain/Event.js"
import * as Method from "./Method.js"
import { PermInfo, QueryOpts, UserInfo } from "./Users.js"

/**
 * A history time filter: seconds since the epoch, or a timestamp string PostgreSQL reads.
 *
 * @since 0.1.0
 * @category models
 */
export const HistoryTime = Schema.Union(Schema.Number, Schema.String)

/**
 * An object named by its id or its name (tags, hosts, channels, packages, ...).
 *
 * @since 0.1.0
 * @category models
 */
export const NameOrId = Schema.Union(Schema.Int, Schema.String)

/**
 * A build as Koji's `get_build` takes it: an id, an N-V-R string or `{name, version, release}`.
 *
 * @since 0.1.0
 * @category models
 */
export const BuildRef = Schema.Union(
  Schema.Int,
  Schema.String,
  Schema.Struct({ name: Schema.String, version: Schema.String, release: Schema.String })
)

/**
 * One history row: its columns depend on the table (the table's columns, `active`,
 * `create_event`, `create_ts`, `creator_id`, `creator_name`, the revoke counterparts and
 * dotted name fields like `user.name`).
 *
 * @since 0.1.0
 * @category models
 */
export const HistoryRow = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * @since 0.1.0
 * @category methods
 */
export const getEvent = Method.make("getEvent", {
  params: {
    id: Schema.Int,
    strict: Method.optional(Schema.Boolean, true)
  },
  success: Schema.NullOr(Event),
  readOnly: true,
  access: "anon",
  doc: "Return {id, ts} for an event id; strict errors if missing"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getLastEvent = Method.make("getLastEvent", {
  params: {
    before: Method.optional(Schema.NullOr(Schema.Number), null),
    strict: Method.optional(Schema.Boolean, true)
  },
  success: Schema.NullOr(Event),
  readOnly: true,
  access: "anon",
  doc: "Return newest {id, ts}; with before=<epoch float> the newest event strictly before that time"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const queryHistory = Method.make("queryHistory", {
  params: {
    tables: Method.optional(Schema.NullOr(Schema.Array(Schema.String)), null),
    before: Method.keywordOption(HistoryTime),
    after: Method.keywordOption(HistoryTime),
    beforeEvent: Method.keywordOption(Schema.Int),
    afterEvent: Method.keywordOption(Schema.Int),
    active: Method.keywordOption(Schema.NullOr(Schema.Boolean)),
    editor: Method.keywordOption(UserInfo),
    user: Method.keywordOption(UserInfo),
    permission: Method.keywordOption(PermInfo),
    host: Method.keywordOption(NameOrId),
    channel: Method.keywordOption(NameOrId),
    tag: Method.keywordOption(NameOrId),
    build: Method.keywordOption(BuildRef),
    package: Method.keywordOption(NameOrId),
    external_repo: Method.keywordOption(NameOrId),
    build_target: Method.keywordOption(NameOrId),
    group: Method.keywordOption(NameOrId),
    cg: Method.keywordOption(NameOrId),
    xkey: Method.keywordOption(Schema.String),
    queryOpts: Method.keywordOption(Schema.NullOr(QueryOpts))
  },
  varkw: "kwargs",
  success: Schema.Record({ key: Schema.String, value: Schema.Union(Schema.Array(HistoryRow), Schema.Int) }),
  readOnly: true,
  access: "anon",
  doc: "Versioned-table history query (tables list + filters tag/build/package/user/permission/... "
    + "before/after/beforeEvent/afterEvent/active/editor)"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class EventsApi extends RpcGroup.make(getEvent, getLastEvent, queryHistory) {}
