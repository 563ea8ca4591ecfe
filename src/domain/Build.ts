/**
 * Builds (`build` table; reference 9). `nvr` is `name-version-release`; a draft build's release
 * ends in `,draft_<build_id>`.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { BuildState } from "./Enums.js"
import { Extra } from "./Extra.js"
import { BuildId, ContentGeneratorId, EventId, PackageId, TagId, TaskId, UserId, VolumeId } from "./Ids.js"
import { Epoch, Timestamp } from "./Timestamp.js"

/** The fields every build listing has. */
const common = {
  build_id: BuildId,
  package_id: PackageId,
  package_name: Schema.String,
  name: Schema.String,
  version: Schema.String,
  release: Schema.String,
  epoch: Schema.NullOr(Schema.Int),
  nvr: Schema.String,
  draft: Schema.Boolean,
  state: BuildState.schema,
  task_id: Schema.NullOr(TaskId),
  owner_id: UserId,
  owner_name: Schema.String,
  volume_id: VolumeId,
  volume_name: Schema.String,
  creation_event_id: EventId,
  creation_time: Timestamp,
  start_time: Schema.NullOr(Timestamp),
  completion_time: Schema.NullOr(Timestamp),
  promotion_time: Schema.NullOr(Timestamp),
  promoter_id: Schema.NullOr(UserId),
  promoter_name: Schema.NullOr(Schema.String)
}

/** `listBuilds` and `getBuild` add the epoch floats, `source` and `extra`. */
const detailed = {
  ...common,
  creation_ts: Epoch,
  start_ts: Schema.NullOr(Epoch),
  completion_ts: Schema.NullOr(Epoch),
  promotion_ts: Schema.NullOr(Epoch),
  source: Schema.NullOr(Schema.String),
  extra: Schema.NullOr(Extra)
}

/**
 * A build as `getBuild` returns it. `id` and `build_id` are the same; `completion_time` is `null`
 * exactly while the build is BUILDING.
 *
 * @since 0.1.0
 * @category models
 */
export class Build extends Schema.Class<Build>("Build")({
  ...detailed,
  id: BuildId,
  cg_id: Schema.NullOr(ContentGeneratorId),
  cg_name: Schema.NullOr(Schema.String)
}) {}

/**
 * A build as `listBuilds` returns it (no `id`, `cg_id`, `cg_name`).
 *
 * @since 0.1.0
 * @category models
 */
export class BuildListEntry extends Schema.Class<BuildListEntry>("BuildListEntry")(detailed) {}

/**
 * A build as tagged in a tag, as `listTagged` and `getLatestBuilds` return it: the tag it was found
 * in (itself or an inherited parent) and `create_event`, the event that tagged it. `extra` only when
 * asked for.
 *
 * @since 0.1.0
 * @category models
 */
export class TaggedBuild extends Schema.Class<TaggedBuild>("TaggedBuild")({
  ...common,
  id: BuildId,
  tag_id: TagId,
  tag_name: Schema.String,
  create_event: EventId,
  extra: Schema.optional(Schema.NullOr(Extra))
}) {}
