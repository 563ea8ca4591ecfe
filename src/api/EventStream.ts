/**
 * The event stream (a koji-ts addition; Koji polls instead): every change a
 * client may follow — a task's state, a host's readiness, a build's state, a
 * tag's content — as a numbered event. A client passes the last id it saw and
 * gets everything after it, with no gaps and no duplicates: `events.watch`
 * streams them over the typed API; `events.list` answers a page (and can wait
 * for the next one, for XML-RPC clients).
 *
 * @since 0.1.0
 */
import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { KojiError } from "../domain/Errors.js"
import { Epoch } from "../domain/Timestamp.js"
import * as Method from "./Method.js"

/**
 * What changed: `task.state` (a task was made or changed state, host or priority),
 * `task.output` (an upload landed in a task's directory: `data` has the file's `name`
 * relative to it, the chunk's `offset` and `length`, and the file's `size`, so a log can be
 * tailed with `downloadTaskOutput` from where it was), `host.ready` (a host's readiness or
 * load), `build.state`, `tag.change` (a build tagged or untagged), `repo.state`.
 *
 * @since 0.1.0
 * @category models
 */
export const EventKind = Schema.String

/**
 * One event.
 *
 * @since 0.1.0
 * @category models
 */
export class StreamEvent extends Schema.Class<StreamEvent>("StreamEvent")({
  /** Increasing; resume after it. */
  id: Schema.Number,
  ts: Epoch,
  kind: EventKind,
  task_id: Schema.NullOr(Schema.Int),
  /** The task's parent, for following a task tree. */
  parent_id: Schema.NullOr(Schema.Int),
  host_id: Schema.NullOr(Schema.Int),
  tag_id: Schema.NullOr(Schema.Int),
  build_id: Schema.NullOr(Schema.Int),
  /** Details by kind (for `task.state`: state, method, owner, channel_id, arch, priority, label, weight). */
  data: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/**
 * Which events a client wants (all given conditions must hold).
 *
 * @since 0.1.0
 * @category models
 */
export const EventFilter = Schema.Struct({
  kinds: Schema.optional(Schema.NullOr(Schema.Array(EventKind))),
  /** A task and all its descendants (present and future). */
  task: Schema.optional(Schema.NullOr(Schema.Int)),
  host: Schema.optional(Schema.NullOr(Schema.Int)),
  tag: Schema.optional(Schema.NullOr(Schema.Int)),
  build: Schema.optional(Schema.NullOr(Schema.Int))
})

/**
 * @since 0.1.0
 * @category models
 */
export type EventFilter = typeof EventFilter.Type

/**
 * A page of events and the id to resume after.
 *
 * @since 0.1.0
 * @category models
 */
export const EventPage = Schema.Struct({
  events: Schema.Array(StreamEvent),
  /** Pass this as `after` next time (the newest id seen, even if filtered out). */
  last: Schema.Number
})

/**
 * @since 0.1.0
 * @category methods
 */
export const list = Method.make("events.list", {
  params: {
    after: Method.optional(Schema.NullOr(Schema.Number), null),
    filter: Method.optional(Schema.NullOr(EventFilter), null),
    limit: Method.optional(Schema.Int.pipe(Schema.between(1, 10000)), 1000),
    wait: Method.optional(Schema.Number.pipe(Schema.between(0, 300)), 0)
  },
  success: EventPage,
  readOnly: true,
  access: "anon",
  doc: "Events after an id (null: only the newest id); with wait=N seconds, wait for the next matching one"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const lastId = Method.make("events.lastId", {
  success: Schema.Number,
  readOnly: true,
  access: "anon",
  doc: "The newest event id (resume after it to see only what comes next)"
})

/**
 * The live stream (typed API only): the events after `after` (or from now when
 * null), then each new one as it happens.
 *
 * @since 0.1.0
 * @category methods
 */
export const watch = Rpc.make("events.watch", {
  payload: Schema.Struct({
    after: Schema.optionalWith(Schema.NullOr(Schema.Number), { default: () => null }),
    filter: Schema.optionalWith(Schema.NullOr(EventFilter), { default: () => null })
  }),
  success: StreamEvent,
  error: KojiError,
  stream: true
})

/**
 * @since 0.1.0
 * @category groups
 */
export class EventStreamApi extends RpcGroup.make(list, lastId) {}

/**
 * The streaming half (served at `/api` and in process, not over XML-RPC).
 *
 * @since 0.1.0
 * @category groups
 */
export class EventWatchApi extends RpcGroup.make(watch) {}
