/**
 * Buildroots (`buildroot` + `standard_buildroot`; reference 10). A STANDARD buildroot is made by
 * a builder for a task from a repo; an EXTERNAL one is reported by a content generator and has
 * none of the host, repo, task or event fields.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { BrState, BrType, RepoState } from "./Enums.js"
import { Extra } from "./Extra.js"
import { BuildrootId, ContentGeneratorId, EventId, HostId, RepoId, TagId, TaskId } from "./Ids.js"
import { Epoch, Timestamp } from "./Timestamp.js"

/**
 * A buildroot as `getBuildroot` and `listBuildroots` return it. `arch` repeats `container_arch`
 * (Koji keeps it for old clients).
 *
 * @since 0.1.0
 * @category models
 */
export class Buildroot extends Schema.Class<Buildroot>("Buildroot")({
  id: BuildrootId,
  br_type: BrType.schema,
  cg_id: Schema.NullOr(ContentGeneratorId),
  cg_name: Schema.NullOr(Schema.String),
  cg_version: Schema.NullOr(Schema.String),
  container_type: Schema.NullOr(Schema.String),
  container_arch: Schema.NullOr(Schema.String),
  arch: Schema.NullOr(Schema.String),
  host_os: Schema.NullOr(Schema.String),
  host_arch: Schema.NullOr(Schema.String),
  extra: Schema.NullOr(Extra),
  state: Schema.NullOr(BrState.schema),
  task_id: Schema.NullOr(TaskId),
  host_id: Schema.NullOr(HostId),
  host_name: Schema.NullOr(Schema.String),
  repo_id: Schema.NullOr(RepoId),
  repo_state: Schema.NullOr(RepoState.schema),
  tag_id: Schema.NullOr(TagId),
  tag_name: Schema.NullOr(Schema.String),
  create_event_id: Schema.NullOr(EventId),
  create_event_time: Schema.NullOr(Timestamp),
  create_ts: Schema.NullOr(Epoch),
  retire_event_id: Schema.NullOr(EventId),
  retire_event_time: Schema.NullOr(Timestamp),
  retire_ts: Schema.NullOr(Epoch),
  repo_create_event_id: Schema.NullOr(EventId),
  repo_create_event_time: Schema.NullOr(Timestamp)
}) {}
