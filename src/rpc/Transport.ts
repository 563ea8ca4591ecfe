/**
 * What an HTTP request tells about its client: address, verified TLS client
 * certificate, and a user vouched for by a trusted front proxy.
 *
 * @since 0.1.0
 */
import { HttpIncomingMessage, type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Cause, Chunk, Context, Effect, Exit, Option, Runtime, type Scope, Stream } from "effect"
import * as Http from "node:http"
import { pipeline, Readable } from "node:stream"
import type * as StreamWeb from "node:stream/web"
import type { TLSSocket } from "node:tls"
import type * as Caller from "../hub/Caller.js"
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
    const incoming: unknown = NodeHttpServerRequest.toIncomingMessage(request)
    return incoming instanceof Http.IncomingMessage ? incoming : undefined
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
  const incoming = incomingOf(request)
  return incoming !== undefined
    ? ofNode(incoming, config)
    : facts(Option.getOrElse(request.remoteAddress, () => "unknown"), undefined, request.headers, config)
}

/**
 * What Node's connection tells about the client of `incoming` (see `of`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const ofNode = (
  incoming: Http.IncomingMessage,
  config: Pick<HubConfigShape, "proxyUserHeader" | "trustedProxyAddresses">
): Caller.Transport =>
  facts(incoming.socket?.remoteAddress ?? "unknown", incoming.socket as TLSSocket | undefined, incoming.headers, config)

const facts = (
  address: string,
  socket: TLSSocket | undefined,
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
  config: Pick<HubConfigShape, "proxyUserHeader" | "trustedProxyAddresses">
): Caller.Transport => {
  const remoteAddress = address.startsWith("::ffff:") ? address.slice(7) : address
  const certificate = socket !== undefined && typeof socket.getPeerCertificate === "function"
    ? subjectOf(socket)
    : undefined
  const proxyUser = config.proxyUserHeader !== undefined && config.trustedProxyAddresses.includes(remoteAddress)
    ? headers[config.proxyUserHeader]
    : undefined
  return {
    remoteAddress,
    certificate,
    proxyUser: typeof proxyUser === "string" && proxyUser.length > 0 ? proxyUser : undefined,
    produced: {}
  }
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
  if (incoming !== undefined) return readNodeBody(incoming, maxBytes)
  return request.arrayBuffer.pipe(
    HttpIncomingMessage.withMaxBodySize(Option.some(maxBytes)),
    Effect.map((body) => Buffer.from(body)),
    Effect.mapError((error) => new BodyError(error.message))
  )
}

/**
 * The whole body of Node's `incoming`, at most `maxBytes` (see `readBody`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const readNodeBody = (incoming: Http.IncomingMessage, maxBytes: number): Effect.Effect<Buffer, BodyError> =>
  Effect.suspend(() => new Receiver(incoming, maxBytes, false).whole())

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

/**
 * A whole answer to an HTTP request, written as it is by either server path.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reply {
  readonly status: number
  readonly contentType: string
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly body: string
}

/**
 * `reply` as the platform's response.
 *
 * @since 0.1.0
 * @category combinators
 */
export const toResponse = (reply: Reply): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(reply.body, {
    status: reply.status,
    contentType: reply.contentType,
    ...(reply.headers === undefined ? {} : { headers: reply.headers })
  })

/**
 * Add `Koji-Event-Id` to a reply when the call published events (see `withEventId`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withEventIdReply = (reply: Reply, transport: Caller.Transport): Reply =>
  transport.produced?.eventId === undefined
    ? reply
    : { ...reply, headers: { ...reply.headers, [eventIdHeader]: String(transport.produced.eventId) } }

/**
 * A route the server answers on Node's request itself, before its router: the call paths
 * (`/kojihub`, `/api`), where the platform's request and response objects cost as much as a
 * read call does. It answers an effect to run for the request, or `undefined` to leave the
 * request to the router.
 *
 * @since 0.1.0
 * @category models
 */
export type DirectRoute = (
  incoming: Http.IncomingMessage,
  /** The path of its URL (without the query). */
  path: string
) => Effect.Effect<Reply | HttpServerResponse.HttpServerResponse, never, Scope.Scope> | undefined

/**
 * What a call needs of its HTTP request, whichever way the server took it (through its router,
 * or on Node's request by a direct route).
 *
 * @since 0.1.0
 * @category models
 */
export interface CallRequest {
  readonly url: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  /** What the connection tells about the client (see `of`). */
  readonly transport: Caller.Transport
  /** The whole body, at most the hub's `maxRequestLength` bytes. */
  readonly body: Effect.Effect<Buffer, BodyError>
}

type CallConfig = Pick<HubConfigShape, "proxyUserHeader" | "trustedProxyAddresses" | "maxRequestLength">

/**
 * The `CallRequest` of a request through the router.
 *
 * @since 0.1.0
 * @category constructors
 */
export const callRequest = (request: HttpServerRequest.HttpServerRequest, config: CallConfig): CallRequest => ({
  url: request.url,
  headers: request.headers,
  transport: of(request, config),
  body: readBody(request, config.maxRequestLength)
})

/**
 * The `CallRequest` of Node's `incoming`, taken by a direct route at `path`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const callRequestOfNode = (incoming: Http.IncomingMessage, path: string, config: CallConfig): CallRequest => ({
  url: incoming.url ?? path,
  headers: incoming.headers,
  transport: ofNode(incoming, config),
  body: readNodeBody(incoming, config.maxRequestLength)
})

/**
 * Add `route` to the server's direct routes for the life of the scope, when the server offers
 * them (without it, or with tracing, every request goes through the router).
 *
 * @since 0.1.0
 * @category combinators
 */
export const addDirectRoute = (route: DirectRoute): Effect.Effect<void, never, Scope.Scope> =>
  Effect.flatMap(Effect.serviceOption(DirectRoutes), (routes) => Option.isSome(routes) ? routes.value.add(route) : Effect.void)

/**
 * Where the routes that answer Node's requests directly are added (see `DirectRoute`).
 *
 * @since 0.1.0
 * @category tags
 */
export class DirectRoutes extends Context.Tag("koji/rpc/DirectRoutes")<DirectRoutes, {
  /** Add `route` for the life of the scope; its effects run in the caller's runtime. */
  readonly add: (route: DirectRoute) => Effect.Effect<void, never, Scope.Scope>
}>() {}

/**
 * The path of a request's URL (without its query).
 *
 * @since 0.1.0
 * @category combinators
 */
export const pathOf = (url: string | undefined): string => {
  if (url === undefined) return "/"
  const query = url.indexOf("?")
  return query < 0 ? url : url.slice(0, query)
}

/**
 * The table behind `DirectRoutes`, kept by the server: `serve` answers a request through the
 * first route that takes it (false: none did).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeDirectRoutes = (enabled: boolean) => {
  const routes: Array<(incoming: Http.IncomingMessage, path: string, response: Http.ServerResponse) => boolean> = []
  const service = DirectRoutes.of({
    add: (route) =>
      Effect.flatMap(Effect.runtime<never>(), (runtime) => {
        const runFork = Runtime.runFork(runtime)
        const serve = (incoming: Http.IncomingMessage, path: string, response: Http.ServerResponse) => {
          const effect = route(incoming, path)
          if (effect === undefined) return false
          // the request's scope lasts until its answer is written (a streamed answer too)
          const fiber = runFork(Effect.scoped(Effect.flatMap(effect, (reply) =>
            HttpServerResponse.isServerResponse(reply) ? writeResponse(response, reply, runtime) : write(response, reply)
          )))
          fiber.addObserver((exit) => {
            if (Exit.isFailure(exit)) failed(response, exit.cause)
          })
          // the client went away before its answer: the call is interrupted (as on the router)
          response.on("close", () => {
            if (!response.writableEnded) fiber.unsafeInterruptAsFork(fiber.id())
          })
          return true
        }
        if (!enabled) return Effect.void
        return Effect.acquireRelease(
          Effect.sync(() => routes.push(serve)),
          () => Effect.sync(() => routes.splice(routes.indexOf(serve), 1))
        )
      })
  })
  return {
    service,
    serve: (incoming: Http.IncomingMessage, response: Http.ServerResponse) => {
      if (routes.length === 0) return false
      const path = pathOf(incoming.url)
      for (const route of routes) if (route(incoming, path, response)) return true
      return false
    }
  }
}

const write = (response: Http.ServerResponse, reply: Reply) =>
  Effect.sync(() => {
    if (response.destroyed) return
    response.writeHead(reply.status, {
      ...reply.headers,
      "content-type": reply.contentType,
      "content-length": Buffer.byteLength(reply.body)
    })
    response.end(reply.body)
  })

// a response of the platform (a stream: the event stream), through its web form
const writeResponse = (
  response: Http.ServerResponse,
  answer: HttpServerResponse.HttpServerResponse,
  runtime: Runtime.Runtime<never>
) =>
  Effect.async<void>((resume) => {
    const web = HttpServerResponse.toWeb(answer, { runtime })
    response.writeHead(web.status, [...web.headers].flat())
    if (web.body === null) {
      response.end()
      return resume(Effect.void)
    }
    // done when the body is written or the client has gone (both ends are closed then)
    const body = Readable.fromWeb(web.body as StreamWeb.ReadableStream)
    pipeline(body, response, () => resume(Effect.void))
    return Effect.sync(() => body.destroy())
  })

const failed = (response: Http.ServerResponse, cause: Cause.Cause<unknown>) => {
  if (Cause.isInterruptedOnly(cause) || response.headersSent) return void response.destroy()
  response.writeHead(500, { "content-type": "text/plain" })
  response.end("Internal Server Error")
}
