/**
 * Handlers of the Users area.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { UsersApi } from "../api/Users.js"
import * as Handlers from "./Handlers.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(UsersApi, Effect.succeed({}))
