/**
 * Repos generated for tags (`repo` table; reference 7).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { RepoState, TaskState } from "./Enums.js"
import { EventId, RepoId, TagId, TaskId } from "./Ids.js"
import { Epoch, Timestamp } from "./Timestamp.js"

/**
 * Repo options (reference 7.2), all boolean: a repo's `opts` has every key, `custom_opts` and
 * requests only those that differ from the tag's defaults.
 *
 * @since 0.1.0
 * @category models
 */
export const RepoOpts = Schema.Struct({
  src: Schema.optional(Schema.Boolean),
  debuginfo: Schema.optional(Schema.Boolean),
  separate_src: Schema.optional(Schema.Boolean),
  maven: Schema.optional(Schema.Boolean)
}).annotations({ identifier: "RepoOpts" })
/**
 * @since 0.1.0
 * @category models
 */
export type RepoOpts = typeof RepoOpts.Type

/**
 * A repo as `repoInfo` returns it (every field of `repo.query`). `create_event` is the event the
 * repo represents; `begin_event`/`end_event` bound the events at which it matches its tag
 * (`end_event` `null` while current); `creation_time` is when the row was made.
 *
 * @since 0.1.0
 * @category models
 */
export class Repo extends Schema.Class<Repo>("Repo")({
  id: RepoId,
  tag_id: TagId,
  tag_name: Schema.String,
  creation_time: Schema.NullOr(Timestamp),
  creation_ts: Schema.NullOr(Epoch),
  state_time: Schema.NullOr(Timestamp),
  state_ts: Schema.NullOr(Epoch),
  create_event: EventId,
  create_ts: Epoch,
  begin_event: Schema.NullOr(EventId),
  begin_ts: Schema.NullOr(Epoch),
  end_event: Schema.NullOr(EventId),
  end_ts: Schema.NullOr(Epoch),
  state: RepoState.schema,
  dist: Schema.Boolean,
  opts: Schema.NullOr(RepoOpts),
  custom_opts: Schema.NullOr(RepoOpts),
  task_id: Schema.NullOr(TaskId),
  task_state: Schema.NullOr(TaskState.schema)
}) {}
