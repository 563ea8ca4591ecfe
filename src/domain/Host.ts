/**
 * Builder hosts (`host` + versioned `host_config`; reference 13).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { HostId, UserId } from "./Ids.js"
import { Epoch } from "./Timestamp.js"

/**
 * A builder host as `getHost` and `listHosts` return it. `arches` is space-separated;
 * `ready` and `task_load` are reported by the builder, `enabled` and `capacity` are configured.
 *
 * @since 0.1.0
 * @category models
 */
export class Host extends Schema.Class<Host>("Host")({
  id: HostId,
  user_id: UserId,
  name: Schema.String,
  update_ts: Schema.NullOr(Epoch),
  ready: Schema.Boolean,
  task_load: Schema.Number,
  arches: Schema.String,
  capacity: Schema.Number,
  description: Schema.NullOr(Schema.String),
  comment: Schema.NullOr(Schema.String),
  enabled: Schema.Boolean
}) {}
