/**
 * What an HTTP request tells about its client: address, verified TLS client
 * certificate, and a user vouched for by a trusted front proxy.
 *
 * @since 0.1.0
 */
import { Headers, HttpIncomingMessage, type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Chunk, Effect, Option, type Scope, Stream } from "effect"
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
export class BodyError extends Error {
  /** The limit that the body passed, when it was too long. */
  readonly limit: number | undefined
  constructor(message: string, limit?: number) {
    super(message)
    this.limit = limit
  }
}

// a stream stops reading the socket while this much waits to be taken
const AHEAD = 4 * 1024 * 1024

// a request body gathered from Node's message as it arrives, from the moment this is made
class Receiver {
  private pieces: Array<Buffer> = []
  private size = 0
  private waiting = 0
  private ended = false
  private failure: BodyError | undefined = undefined
  private wake: (() => void) | undefined = undefined
  private readonly onData = (chunk: Buffer) => {
    this.size += chunk.length
    if (this.size > this.maxBytes) {
      return this.fail(new BodyError(`request body too long (over ${this.maxBytes} bytes)`, this.maxBytes))
    }
    this.pieces.push(chunk)
    if (this.eager) {
      this.waiting += chunk.length
      if (this.waiting > AHEAD) this.incoming.pause()
      this.settle()
    }
  }
  private readonly onEnd = () => {
    this.detach()
    this.ended = true
    this.settle()
  }
  private readonly onError = (error: Error) => this.fail(new BodyError(error.message))
  private readonly onAborted = () => this.fail(new BodyError("the client closed the request"))

  /** `eager`: wake the waiter on every piece (a stream), not only at the end (a whole body). */
  constructor(private readonly incoming: Http.IncomingMessage, private readonly maxBytes: number, private readonly eager: boolean) {
    incoming.on("data", this.onData)
    incoming.on("end", this.onEnd)
    incoming.on("error", this.onError)
    incoming.on("aborted", this.onAborted)
  }

  private settle() {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private fail(error: BodyError) {
    this.failure ??= error
    this.stop()
    this.settle()
  }

  private detach() {
    this.incoming.off("data", this.onData)
    this.incoming.off("end", this.onEnd)
    this.incoming.off("error", this.onError)
    this.incoming.off("aborted", this.onAborted)
  }

  /** No more reading: what is left of the body is dropped (the answer can still be written). */
  stop() {
    this.detach()
    this.pieces = []
    this.incoming.resume()
  }

  /** All of it, once it has ended (interrupted: the rest is dropped). */
  whole(): Effect.Effect<Buffer, BodyError> {
    return Effect.async<Buffer, BodyError>((resume) => {
      const done = () =>
        resume(
          this.failure !== undefined
            ? Effect.fail(this.failure)
            : Effect.succeed(this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.size))
        )
      if (this.failure !== undefined || this.ended) return done()
      this.wake = done
      return Effect.sync(() => this.stop())
    })
  }

  /** What arrived since the last pull (fails with `None` at the end): a stream's pull, made once. */
  pull(): Effect.Effect<Chunk.Chunk<Buffer>, Option.Option<BodyError>> {
    // resumes when there is a piece to take, the end, or a failure
    const ready = Effect.async<void>((resume) => {
      if (this.failure !== undefined || this.ended || this.pieces.length > 0) return resume(Effect.void)
      this.wake = () => resume(Effect.void)
      return Effect.sync(() => {
        this.wake = undefined
      })
    })
    const pull: Effect.Effect<Chunk.Chunk<Buffer>, Option.Option<BodyError>> = Effect.suspend(() => {
      if (this.pieces.length > 0) {
        const pieces = this.pieces
        this.pieces = []
        if (this.waiting > AHEAD) this.incoming.resume()
        this.waiting = 0
        return Effect.succeed(Chunk.unsafeFromArray(pieces))
      }
      if (this.failure !== undefined) return Effect.fail(Option.some(this.failure))
      if (this.ended) return Effect.fail(Option.none())
      return Effect.zipRight(ready, pull)
    })
    return pull
  }
}

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
  if (incoming !== undefined) {
    return Effect.suspend(() => new Receiver(incoming, maxBytes, false).whole())
  }
  return request.arrayBuffer.pipe(
    HttpIncomingMessage.withMaxBodySize(Option.some(maxBytes)),
    Effect.map((body) => Buffer.from(body)),
    Effect.mapError((error) => new BodyError(error.message))
  )
}

/**
 * The body of `request` as a stream, at most `maxBytes`, read from the moment this effect runs
 * (not only when the stream does): the bytes arrive while the call is checked, and wait (up to
 * 4 MiB, then the socket is paused) until the stream takes them. On Node the stream fails with
 * `BodyError` past `maxBytes`, and whatever is left unread when the scope closes is dropped (the
 * answer can still be written); other requests are read through the platform's stream when it
 * runs (the caller counts their bytes).
 *
 * @since 0.1.0
 * @category combinators
 */
export const bodyStream = (
  request: HttpServerRequest.HttpServerRequest,
  maxBytes: number
): Effect.Effect<Stream.Stream<Uint8Array, BodyError>, never, Scope.Scope> => {
  const incoming = incomingOf(request)
  if (incoming === undefined) {
    return Effect.succeed(Stream.mapError(request.stream, (error) => new BodyError(error.message)))
  }
  return Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => new Receiver(incoming, maxBytes, true)),
      (receiver) => Effect.sync(() => receiver.stop())
    ),
    (receiver) => Stream.repeatEffectChunkOption(receiver.pull())
  )
}
