/**
 * What an HTTP request tells about its client: address, verified TLS client
 * certificate, and a user vouched for by a trusted front proxy.
 *
 * @since 0.1.0
 */
import { Headers, HttpIncomingMessage, type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Effect, Option } from "effect"
import type * as Http from "node:http"
import type { TLSSocket } from "node:tls"
import type * as Caller from "../hub/Caller.js"
import * as Credentials from "../hub/Credentials.js"
import type { HubConfigShape } from "../hub/HubConfig.js"

const subjectOf = (socket: TLSSocket): { subject: Record<string, string>; dn: string } | undefined => {
  if (!socket.authorized) return undefined
  const cert = socket.getPeerCertificate()
  if (cert === null || cert.subject === undefined) return undefined
  const subject: Record<string, string> = {}
  for (const [k, v] of Object.entries(cert.subject)) subject[k] = Array.isArray(v) ? v.join(",") : String(v)
  // OpenSSL's one-line form, as Apache's SSL_CLIENT_S_DN gives it
  const dn = Object.entries(subject).map(([k, v]) => `${k}=${v}`).join(",")
  return { subject, dn }
}

// Node's message under a request of Node's HTTP server (undefined for other requests)
const incomingOf = (request: HttpServerRequest.HttpServerRequest): Http.IncomingMessage | undefined => {
  try {
    return NodeHttpServerRequest.toIncomingMessage(request)
  } catch {
    return undefined
  }
}

/**
 * What the connection tells about the client of `request`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const of = (
  request: HttpServerRequest.HttpServerRequest,
  config: Pick<HubConfigShape, "proxyUserHeader" | "trustedProxyAddresses">
): Caller.Transport => {
  const remoteAddress = Option.getOrElse(request.remoteAddress, () => "unknown").replace(/^::ffff:/, "")
  const socket = incomingOf(request)?.socket as TLSSocket | undefined
  const certificate = socket !== undefined && typeof socket.getPeerCertificate === "function"
    ? subjectOf(socket)
    : undefined
  const proxyUser = config.proxyUserHeader !== undefined && config.trustedProxyAddresses.includes(remoteAddress)
    ? request.headers[config.proxyUserHeader]
    : undefined
  return {
    remoteAddress,
    certificate,
    proxyUser: proxyUser !== undefined && proxyUser.length > 0 ? proxyUser : undefined,
    produced: {}
  }
}

/**
 * Run `effect` with `request` carrying a token for its transport (see `Credentials.withTransport`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withRequestTransport = <A, E, R>(
  request: HttpServerRequest.HttpServerRequest,
  config: Pick<HubConfigShape, "proxyUserHeader" | "trustedProxyAddresses">,
  effect: (request: HttpServerRequest.HttpServerRequest, transport: Caller.Transport) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => {
  const transport = of(request, config)
  return Credentials.withTransport(transport, (token) =>
    effect(request.modify({ headers: Headers.set(request.headers, Credentials.transportHeader, token) }), transport))
}

/**
 * The header that carries the newest event id a write call published.
 *
 * @since 0.1.0
 * @category constants
 */
export const eventIdHeader = "koji-event-id"

/**
 * Add `Koji-Event-Id` to a response when the call published events.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withEventId = (response: HttpServerResponse.HttpServerResponse, transport: Caller.Transport) =>
  transport.produced?.eventId === undefined
    ? response
    : HttpServerResponse.setHeader(response, eventIdHeader, String(transport.produced.eventId))

/**
 * A request body that could not be read: too long, or the client went away.
 *
 * @since 0.1.0
 * @category errors
 */
export class BodyError extends Error {}

const readIncoming = (incoming: Http.IncomingMessage, maxBytes: number): Effect.Effect<Buffer, BodyError> =>
  Effect.async<Buffer, BodyError>((resume) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const done = () => {
      incoming.off("data", onData)
      incoming.off("end", onEnd)
      incoming.off("error", onError)
      incoming.off("aborted", onAborted)
    }
    const fail = (message: string) => {
      done()
      resume(Effect.fail(new BodyError(message)))
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) {
        // the rest is read and dropped, so the answer can still be written
        incoming.resume()
        return fail(`request body too long (over ${maxBytes} bytes)`)
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      done()
      resume(Effect.succeed(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)))
    }
    const onError = (error: Error) => fail(error.message)
    const onAborted = () => fail("the client closed the request")
    incoming.on("data", onData)
    incoming.on("end", onEnd)
    incoming.on("error", onError)
    incoming.on("aborted", onAborted)
    return Effect.sync(done)
  })

/**
 * The whole body of `request`, at most `maxBytes`. On Node it reads the socket directly (a
 * fraction of the cost of the platform's body stream, which matters on the call paths); other
 * requests are read through the platform.
 *
 * @since 0.1.0
 * @category combinators
 */
export const readBody = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
): Effect.Effect<Buffer, BodyError> => {
  const incoming = incomingOf(request)
  if (incoming !== undefined) return readIncoming(incoming, maxBytes)
  return request.arrayBuffer.pipe(
    HttpIncomingMessage.withMaxBodySize(Option.some(maxBytes)),
    Effect.map((body) => Buffer.from(body)),
    Effect.mapError((error) => new BodyError(error.message))
  )
}
