/**
 * Reading Koji's session credentials and the transport's facts from request headers.
 *
 * The HTTP server strips any `x-koji-internal-*` header a client sent, then sets
 * them itself from the socket (address, verified client certificate) and from a
 * trusted front proxy, so handlers can believe them.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { AuthError } from "../domain/Errors.js"
import type { Transport } from "./Caller.js"
import type { Credentials } from "./Sessions.js"

/**
 * Header names used between the transport and the hub.
 *
 * @since 0.1.0
 * @category constants
 */
export const internalHeaders = {
  remoteAddress: "x-koji-internal-remote-address",
  certificate: "x-koji-internal-certificate",
  proxyUser: "x-koji-internal-proxy-user"
} as const

/**
 * The prefix of the internal headers (clients may never send these).
 *
 * @since 0.1.0
 * @category constants
 */
export const internalPrefix = "x-koji-internal-"

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
  Effect.gen(function*() {
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
 * The transport's facts from the internal headers (`in-process` when absent).
 *
 * @since 0.1.0
 * @category constructors
 */
export const transportFromHeaders = (headers: HeaderMap): Transport => {
  const certificate = headers[internalHeaders.certificate]
  const proxyUser = headers[internalHeaders.proxyUser]
  return {
    remoteAddress: headers[internalHeaders.remoteAddress] ?? "in-process",
    certificate: certificate === undefined ? undefined : JSON.parse(certificate),
    proxyUser
  }
}
