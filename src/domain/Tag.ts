/**
 * Tags (`tag` + versioned `tag_config` and `tag_extra`; reference 8).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Extra } from "./Extra.js"
import { EventId, PermissionId, TagId } from "./Ids.js"

const fields = {
  id: TagId,
  name: Schema.String,
  perm_id: Schema.NullOr(PermissionId),
  perm: Schema.NullOr(Schema.String),
  arches: Schema.NullOr(Schema.String),
  locked: Schema.Boolean,
  maven_support: Schema.Boolean,
  maven_include_all: Schema.Boolean
}

/**
 * A tag as `getTag` returns it. `arches` is space-separated; `extra` holds the tag's own extra
 * values (no inheritance; with `blocked=True` each value is `{blocked, value}`); `query_event`
 * echoes the `event` argument when one was given, and `revoke_event` is set for a deleted tag read
 * with `event="auto"`.
 *
 * @since 0.1.0
 * @category models
 */
export class Tag extends Schema.Class<Tag>("Tag")({
  ...fields,
  extra: Extra,
  query_event: Schema.optional(EventId),
  revoke_event: Schema.optional(EventId)
}) {}

/**
 * A tag as `listTags` returns it (no `extra`).
 *
 * @since 0.1.0
 * @category models
 */
export class TagListEntry extends Schema.Class<TagListEntry>("TagListEntry")(fields) {}
