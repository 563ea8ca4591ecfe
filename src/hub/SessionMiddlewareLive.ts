/**
 * The server side of `SessionMiddleware`.
 *
 * @since 0.1.0
 */
import type { Rpc } from "@effect/rpc"
import { Effect, Layer } from "effect"
import * as Method from "../api/Method.js"
import { SessionMiddleware } from "../api/SessionMiddleware.js"
import { GenericError, type KojiError } from "../domain/Errors.js"
import type * as Caller from "./Caller.js"
import * as Credentials from "./Credentials.js"
import { Dispatcher } from "./Dispatcher.js"

/**
 * What the middleware does around a typed call: resolve the session from the headers, check the
 * caller's rights, and run `next` as one request of the dispatcher. The HTTP transport calls it
 * directly for plain calls; the middleware, for the rest.
 *
 * @since 0.1.0
 * @category combinators
 */
export const around = <A, E, R>(
  dispatcher: Dispatcher["Type"],
  rpc: Rpc.AnyWithProps,
  headers: Readonly<Record<string, string | undefined>>,
  transport: Caller.Transport,
  next: Effect.Effect<A, E, R>
): Effect.Effect<A, E | KojiError, Exclude<R, Caller.CurrentCaller>> =>
  Effect.gen(function*() {
    const info = Method.infoOf(rpc)
    if (info === undefined) return yield* new GenericError({ message: `Invalid method: ${rpc._tag}` })
    const credentials = yield* Credentials.fromHeaders(headers)
    const entry = dispatcher.methods.get(info.name)
    return yield* dispatcher.request(
      { method: info.name, credentials, transport },
      entry === undefined ? next : Effect.zipRight(dispatcher.checkAccess(entry.info), next)
    )
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<SessionMiddleware, never, Dispatcher> = Layer.effect(
  SessionMiddleware,
  Effect.map(Dispatcher, (dispatcher) =>
    SessionMiddleware.of(({ headers, next, rpc }) =>
      Effect.flatMap(
        Credentials.transportFromHeaders(headers),
        (transport) => around(dispatcher, rpc, headers, transport, next)
      )))
)
