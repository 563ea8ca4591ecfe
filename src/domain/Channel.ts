/**
 * Channels that route tasks to hosts (`channels` table; reference 13).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { ChannelId } from "./Ids.js"

/**
 * A channel as `getChannel` and `listChannels` return it.
 *
 * @since 0.1.0
 * @category models
 */
export class Channel extends Schema.Class<Channel>("Channel")({
  id: ChannelId,
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  enabled: Schema.Boolean,
  comment: Schema.NullOr(Schema.String)
}) {}
