/**
 * Events: the clock of Koji's versioned data (`events` table; reference 4).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { EventId } from "./Ids.js"
import { Epoch } from "./Timestamp.js"

/**
 * An event as `getEvent` and `getLastEvent` return it.
 *
 * @since 0.1.0
 * @category models
 */
export class Event extends Schema.Class<Event>("Event")({
  id: EventId,
  ts: Epoch
}) {}
