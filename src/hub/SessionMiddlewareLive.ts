/**
 * The server side of `SessionMiddleware`.
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import * as Method from "../api/Method.js"
import { SessionMiddleware } from "../api/SessionMiddleware.js"
import { GenericError } from "../domain/Errors.js"
import * as Credentials from "./Credentials.js"
import { Dispatcher } from "./Dispatcher.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<SessionMiddleware, never, Dispatcher> = Layer.effect(
  SessionMiddleware,
  Effect.map(Dispatcher, (dispatcher) =>
    SessionMiddleware.of(({ headers, next, rpc }) =>
      Effect.gen(function*() {
        const info = Method.infoOf(rpc)
        if (info === undefined) return yield* new GenericError({ message: `Invalid method: ${rpc._tag}` })
        const credentials = yield* Credentials.fromHeaders(headers)
        const transport = yield* Credentials.transportFromHeaders(headers)
        const entry = dispatcher.methods.get(info.name)
        return yield* dispatcher.request(
          { method: info.name, credentials, transport },
          entry === undefined ? next : Effect.zipRight(dispatcher.checkAccess(entry.info), next)
        )
      })))
)
