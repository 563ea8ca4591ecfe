/**
 * Handlers of the Events area.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { EventsApi } from "../api/Events.js"
import * as Handlers from "./Handlers.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(EventsApi, Effect.succeed({}))
