/**
 * The typed API over HTTP: `POST /api`, NDJSON, `@effect/rpc`.
 *
 * @since 0.1.0
 */
import { HttpLayerRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Rpc, type RpcGroup, RpcSchema, RpcSerialization, RpcServer } from "@effect/rpc"
import { Cause, type Context, Effect, Either, Exit, Layer, ParseResult, Schema, type Scope, Stream } from "effect"
import { KojiRpcs } from "../api/Api.js"
import * as Method from "../api/Method.js"
import * as Errors from "../domain/Errors.js"
import type * as Caller from "../hub/Caller.js"
import * as Credentials from "../hub/Credentials.js"
import { Dispatcher, toKojiError } from "../hub/Dispatcher.js"
import { Handlers, type Hub } from "../hub/Hub.js"
import { HubConfig, type HubConfigShape, maxUploadSize } from "../hub/HubConfig.js"
import * as SessionMiddlewareLive from "../hub/SessionMiddlewareLive.js"
import * as Uploads from "../hub/Uploads.js"
import * as Transport from "./Transport.js"

/**
 * The path of the typed API.
 *
 * @since 0.1.0
 * @category constants
 */
export const path = "/api"

/**
 * The path of the streaming upload for typed clients: `POST /api/upload?filename=...&filepath=...&offset=...`
 * (Koji's `rawUpload` query), the bytes as the body, written as they arrive, the session in the
 * `Koji-Session-*` headers. One request may carry a whole file (up to the hub's `maxUploadSize`);
 * what arrived before a dropped connection is kept, so a client resumes at the size
 * `checkUpload` answers. Answers JSON `{size, fileverify, offset, hexdigest}`, or on failure
 * status 400 with `{faultCode, faultString}`.
 *
 * @since 0.1.0
 * @category constants
 */
export const uploadPath = "/api/upload"

/**
 * One raw upload from an HTTP request (Koji's `rawUpload`: the body is the chunk, the rest in
 * the query, the session in the headers), on `/api/upload` and `/kojihub` alike.
 *
 * @since 0.1.0
 * @category combinators
 */
export const rawUpload = (request: HttpServerRequest.HttpServerRequest, config: HubConfigShape) => {
  const maxBytes = maxUploadSize(config)
  const transport = Transport.of(request, config)
  return Transport.bodyStream(request, maxBytes).pipe(
    Effect.flatMap((body) =>
      Effect.either(Uploads.rawRequest({
        query: new URL(request.url, "http://hub").searchParams,
        headers: request.headers,
        body: Stream.mapError(body, (e) =>
          e.limit === undefined ? e : new Errors.GenericError({ message: `upload chunk too large (over ${e.limit} bytes)` })),
        transport,
        maxChunk: maxBytes
      }))
    ),
    Effect.map((uploaded) => ({ transport, uploaded })),
    Effect.scoped
  )
}

const json = (status: number, body: unknown) =>
  HttpServerResponse.text(JSON.stringify(body), { status, contentType: "application/json" })

/**
 * The `/api/upload` route.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerUpload: Layer.Layer<never, never, HttpLayerRouter.HttpRouter | Hub | HubConfig> = Layer.unwrapEffect(
  Effect.map(Effect.context<Hub | HubConfig>(), (context) =>
    HttpLayerRouter.add("POST", uploadPath, (request) =>
      Effect.gen(function*() {
        const config = yield* HubConfig
        const limit = maxUploadSize(config)
        const length = Number(request.headers["content-length"] ?? "0")
        if (length > limit) {
          return json(413, {
            faultCode: Errors.GenericError.faultCode,
            faultString: `upload chunk too large (over ${limit} bytes)`
          })
        }
        const { transport, uploaded } = yield* rawUpload(request, config)
        if (Either.isLeft(uploaded)) return json(400, Errors.faultOf(toKojiError(uploaded.left)))
        return Transport.withEventId(json(200, uploaded.right), transport)
      }).pipe(Effect.provide(context))))
)

interface Unary {
  readonly rpc: Rpc.AnyWithProps
  readonly handler: Rpc.Handler<string>
  readonly codecs: Method.Codecs
  readonly encodeExit: (exit: Exit.Exit<unknown, unknown>) => Either.Either<unknown, ParseResult.ParseError>
}

// the methods answered by one value (not a stream), with their codecs and handlers
const unaryMethods = (group: RpcGroup.RpcGroup<Rpc.Any>, handlers: Context.Context<never>) => {
  const methods = new Map<string, Unary>()
  for (const [tag, rpc] of group.requests as unknown as ReadonlyMap<string, Rpc.AnyWithProps>) {
    const handler = handlers.unsafeMap.get(rpc.key) as Rpc.Handler<string> | undefined
    if (handler === undefined || RpcSchema.isStreamSchema(rpc.successSchema)) continue
    methods.set(tag, {
      rpc,
      handler,
      codecs: Method.codecsOf(rpc),
      encodeExit: Schema.encodeUnknownEither(Rpc.exitSchema(rpc as any) as Schema.Schema<any, any>) as Unary["encodeExit"]
    })
  }
  return methods
}

// one line of NDJSON, as `RpcSerialization.layerNdjson` writes it
const ndjson = (frame: unknown): Transport.Reply => ({
  status: 200,
  contentType: "application/ndjson",
  body: `${JSON.stringify(frame)}\n`
})

const badRequest = (message: string): Transport.Reply => ({
  status: 400,
  contentType: "text/plain",
  body: `Invalid request: ${message}`
})

const encodeDefect = Schema.encodeSync(Schema.Defect)

// `RpcServer`'s answer to a request whose payload does not decode (or whose answer does not encode)
const requestDefect = (requestId: string, defect: unknown) => ({
  _tag: "Exit",
  requestId,
  exit: { _tag: "Failure", cause: { _tag: "Die", defect: encodeDefect(defect) } }
})

/**
 * The `/api` route (add it to an `HttpLayerRouter` server).
 *
 * A request for a method that answers one value is served here directly, as `RpcServer` would
 * serve it (the same frames, the session middleware, the handler): the body read once, no
 * mailbox, no fiber per request. Streams (the event stream) and anything unusual go through
 * `RpcServer` itself.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never, never, HttpLayerRouter.HttpRouter | Hub | HubConfig> = Layer.unwrapScoped(
  Effect.gen(function*() {
    const config = yield* HubConfig
    const dispatcher = yield* Dispatcher
    const handlers = yield* Handlers
    // the group as `Rpc.Any`: its full type (every method) is more than the compiler will expand
    // here; the layer's type above states what it needs
    const group = KojiRpcs as unknown as RpcGroup.RpcGroup<Rpc.Any>
    const app = yield* RpcServer.toHttpApp(group, { spanPrefix: "koji", disableTracing: true }).pipe(
      Effect.provide(RpcSerialization.layerNdjson),
      Effect.provide(handlers)
    )
    const unary = unaryMethods(group, handlers as Context.Context<never>)

    const serveUnary = (
      method: Unary,
      message: Record<string, unknown>,
      headers: Record<string, string | undefined>,
      transport: Caller.Transport
    ) => {
      const requestId = message.id as string
      const codecs = method.codecs
      const respond = (frame: unknown) => Transport.withEventIdReply(ndjson(frame), transport)
      const payload = codecs.decodePayload(message.payload)
      if (Either.isLeft(payload)) {
        return Effect.succeed(respond(requestDefect(requestId, ParseResult.TreeFormatter.formatErrorSync(payload.left))))
      }
      const result = method.handler.handler(payload.right, { clientId: -1, headers: headers as any })
      const handled = Rpc.isWrapper(result) ? result.value : result
      // a client that writes the transport token header itself is refused, as on the middleware path
      const run = Effect.flatMap(
        headers[Credentials.transportHeader] === undefined
          ? Effect.succeed(transport)
          : Credentials.transportFromHeaders(headers),
        (transport) =>
          SessionMiddlewareLive.around(
            dispatcher,
            method.rpc,
            headers,
            transport,
            // the dispatcher's request provides every handler's services
            handled as Effect.Effect<unknown, unknown>
          )
      )
      return Effect.map(Effect.exit(run), (exit) => {
        if (Exit.isSuccess(exit)) {
          const value = codecs.encodeSuccess(exit.value)
          return respond(
            Either.isRight(value)
              ? { _tag: "Exit", requestId, exit: { _tag: "Success", value: value.right } }
              : requestDefect(requestId, ParseResult.TreeFormatter.formatErrorSync(value.left))
          )
        }
        // a defect ends the client, as `RpcServer` does
        if (Cause.isDie(exit.cause) && !Cause.isInterrupted(exit.cause)) {
          return respond({ _tag: "Defect", defect: encodeDefect(Cause.squash(exit.cause)) })
        }
        const failure = method.encodeExit(exit)
        return respond(
          Either.isRight(failure)
            ? { _tag: "Exit", requestId, exit: failure.right }
            : requestDefect(requestId, ParseResult.TreeFormatter.formatErrorSync(failure.left))
        )
      })
    }

    // a request `RpcServer` serves, on the body already read
    const viaRpcServer = (request: Transport.CallRequest, body: Buffer) => {
      // the body is whole now: the framing headers of the original no longer apply
      const { "content-length": _length, "transfer-encoding": _encoding, ...headers } = request.headers
      const transport = request.transport
      return Credentials.withTransport(transport, (token) =>
        Effect.provideService(
          app,
          HttpServerRequest.HttpServerRequest,
          HttpServerRequest.fromWeb(
            new Request(new URL(request.url, "http://hub"), {
              method: "POST",
              headers: { ...headers, [Credentials.transportHeader]: token },
              body
            })
          ).modify({ remoteAddress: transport.remoteAddress })
        ).pipe(Effect.map((response) => Transport.withEventId(response, transport))))
    }

    // a whole body: a plain call is answered here, the rest by `RpcServer`
    const serve = (
      request: Transport.CallRequest,
      body: Buffer
    ): Effect.Effect<Transport.Reply | HttpServerResponse.HttpServerResponse, never, Scope.Scope> => {
      const message = oneRequest(body)
      const method = message === undefined ? undefined : unary.get(message.tag as string)
      if (message === undefined || method === undefined) return viaRpcServer(request, body)
      const headers: Record<string, string | undefined> = { ...request.headers as Record<string, string | undefined> }
      for (const [key, value] of message.headers as ReadonlyArray<[string, string]>) headers[key.toLowerCase()] = value
      return serveUnary(method, message, headers, request.transport)
    }

    const tooLarge = (length: string | undefined): Transport.Reply | undefined =>
      length !== undefined && Number(length) > config.maxRequestLength
        ? { status: 413, contentType: "text/plain", body: `Request too large (over ${config.maxRequestLength} bytes)` }
        : undefined

    const answer = (
      request: Transport.CallRequest
    ): Effect.Effect<Transport.Reply | HttpServerResponse.HttpServerResponse, never, Scope.Scope> =>
      Effect.flatMap(request.body, (body) => serve(request, body)).pipe(
        Effect.catchAll((error: Transport.BodyError) => Effect.succeed(badRequest(error.message))),
        Effect.catchAllDefect((defect) =>
          Effect.succeed(badRequest(defect instanceof Error ? defect.message : String(defect)))
        )
      )

    // plain calls are answered on Node's request when the server offers it
    yield* Transport.addDirectRoute((incoming, requestPath) => {
      if (incoming.method !== "POST" || requestPath !== path) return undefined
      const refused = tooLarge(incoming.headers["content-length"])
      if (refused !== undefined) return Effect.succeed(refused)
      return answer(Transport.callRequestOfNode(incoming, path, config))
    })

    return HttpLayerRouter.add("POST", path, (request) => {
      const refused = tooLarge(request.headers["content-length"])
      if (refused !== undefined) return Effect.succeed(Transport.toResponse(refused))
      return answer(Transport.callRequest(request, config)).pipe(Effect.map((reply) => HttpServerResponse.isServerResponse(reply) ? reply : Transport.toResponse(reply)))
    })
  })
)

// the body as one `Request` frame with a string id and header pairs, or undefined
const oneRequest = (body: Buffer): Record<string, unknown> | undefined => {
  const text = body.toString("utf8").trim()
  if (text.includes("\n")) return undefined
  let message: unknown
  try {
    message = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof message !== "object" || message === null) return undefined
  const m = message as Record<string, unknown>
  if (m._tag !== "Request" || typeof m.id !== "string" || typeof m.tag !== "string") return undefined
  const headers = m.headers ?? []
  if (!Array.isArray(headers) || !headers.every((h) => Array.isArray(h) && h.length === 2 && h.every((x) => typeof x === "string"))) {
    return undefined
  }
  return { ...m, headers }
}
