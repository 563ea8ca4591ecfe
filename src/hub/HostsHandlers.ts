/**
 * Handlers of the Hosts area.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { HostsApi } from "../api/Hosts.js"
import * as Handlers from "./Handlers.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(HostsApi, Effect.succeed({}))
