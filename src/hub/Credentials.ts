/**
 * Reading Koji's session credentials and the transport's facts from request headers.
 *
 * The HTTP server reads the client's address, its verified certificate and a
 * trusted front proxy's user from the connection, keeps them under a random token
 * for the time of the request and passes only the token to the hub, so nothing a
 * client writes in its headers can pose as them.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import { AuthError } from "../domain/Errors.js"
import type { Transport } from "./Caller.js"
import type { Credentials } from "./Sessions.js"

/**
 * The header that carries a transport token from the HTTP server to the hub.
 *
 * @since 0.1.0
 * @category constants
 */
export const transportHeader = "x-koji-transport"

// the facts of the HTTP requests in flight, by a random token; a client cannot guess a token,
// and a header it sends in place of the server's names no request: such a call is refused
const inFlight = new Map<string, Transport>()

/**
 * Register the transport of an HTTP request for the time `effect` runs; the token
 * travels in `transportHeader`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withTransport = <A, E, R>(
  transport: Transport,
  effect: (token: string) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    const token = randomBytes(18).toString("base64url")
    inFlight.set(token, transport)
    return Effect.ensuring(effect(token), Effect.sync(() => inFlight.delete(token)))
  })

type HeaderMap = Readonly<Record<string, string | undefined>>

const parseInt10 = (name: string, value: string) =>
  /^-?\d+$/.test(value.trim())
    ? Effect.succeed(Number(value.trim()))
    : new AuthError({ message: `Invalid ${name}: '${value}'` })

/**
 * Koji's credentials: `Koji-Session-Id`, `Koji-Session-Key`, `Koji-Session-Callnum`
 * (or the legacy `Koji-Callnum`), or the query-string form of older clients.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromHeaders = (
  headers: HeaderMap,
  query?: URLSearchParams
): Effect.Effect<Credentials | undefined, AuthError> =>
  // no session at all: the anonymous calls' fast answer
  headers["koji-session-id"] === undefined && (query === undefined || !query.has("session-id"))
    ? Effect.succeed(undefined)
    : Effect.gen(function*() {
    let id = headers["koji-session-id"]
    let key = headers["koji-session-key"]
    let callnum = headers["koji-session-callnum"] ?? headers["koji-callnum"]
    if (id === undefined && query !== undefined && query.has("session-id")) {
      id = query.get("session-id") ?? undefined
      key = query.get("session-key") ?? undefined
      callnum = query.get("callnum") ?? undefined
      if (key === undefined) return yield* new AuthError({ message: "'session-key' not specified in session args" })
    }
    if (id === undefined) return undefined
    if (key === undefined) return yield* new AuthError({ message: "Invalid session or bad credentials" })
    return {
      sessionId: yield* parseInt10("session id", id),
      sessionKey: key,
      callnum: callnum === undefined ? undefined : yield* parseInt10("callnum", callnum)
    }
  })

/**
 * The transport of a call: from the HTTP server's token, or `in-process` when there is none.
 *
 * @since 0.1.0
 * @category constructors
 */
export const transportFromHeaders = (headers: HeaderMap): Effect.Effect<Transport, AuthError> => {
  const token = headers[transportHeader]
  if (token === undefined) return Effect.succeed({ remoteAddress: "in-process" })
  const transport = inFlight.get(token)
  return transport === undefined
    ? new AuthError({ message: "Invalid request: unknown transport" })
    : Effect.succeed(transport)
}
