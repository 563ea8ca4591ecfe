/**
 * The `extra` field of builds, RPMs, archives, buildroots and tags: a JSON object Koji keeps as
 * text and sends parsed (`null` when the column is empty).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * A JSON object of free-form data.
 *
 * @since 0.1.0
 * @category models
 */
export const Extra = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  identifier: "Extra"
})
/**
 * @since 0.1.0
 * @category models
 */
export type Extra = typeof Extra.Type
