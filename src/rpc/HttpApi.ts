/**
 * The typed API over HTTP: `POST /api`, NDJSON, `@effect/rpc`.
 *
 * @since 0.1.0
 */
import { HttpIncomingMessage, HttpLayerRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { type Rpc, type RpcGroup, RpcSerialization, RpcServer } from "@effect/rpc"
import { Effect, Either, Layer, Option } from "effect"
import { KojiRpcs } from "../api/Api.js"
import * as Errors from "../domain/Errors.js"
import { toKojiError } from "../hub/Dispatcher.js"
import type { Hub } from "../hub/Hub.js"
import { HubConfig, type HubConfigShape } from "../hub/HubConfig.js"
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
 * The path of the fast upload for typed clients: `POST /api/upload?filename=...&filepath=...&offset=...`
 * (Koji's `rawUpload` query), the raw chunk as the body, the session in the `Koji-Session-*`
 * headers. Answers JSON `{size, fileverify, offset, hexdigest}`, or on failure status 400 with
 * `{faultCode, faultString}`.
 *
 * @since 0.1.0
 * @category constants
 */
export const uploadPath = "/api/upload"

/**
 * One raw upload chunk from an HTTP request (Koji's `rawUpload`: the body is the chunk, the rest in
 * the query, the session in the headers), on `/api/upload` and `/kojihub` alike.
 *
 * @since 0.1.0
 * @category combinators
 */
export const rawUpload = (request: HttpServerRequest.HttpServerRequest, config: HubConfigShape) => {
  const transport = Transport.of(request, config)
  return Effect.map(
    Effect.either(Uploads.rawRequest({
      query: new URL(request.url, "http://hub").searchParams,
      headers: request.headers,
      body: request.stream,
      transport,
      maxChunk: config.maxRequestLength
    })),
    (uploaded) => ({ transport, uploaded })
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
        const length = Number(request.headers["content-length"] ?? "0")
        if (length > config.maxRequestLength) {
          return json(413, {
            faultCode: Errors.GenericError.faultCode,
            faultString: `upload chunk too large (over ${config.maxRequestLength} bytes)`
          })
        }
        const { transport, uploaded } = yield* rawUpload(request, config)
        if (Either.isLeft(uploaded)) return json(400, Errors.faultOf(toKojiError(uploaded.left)))
        return Transport.withEventId(json(200, uploaded.right), transport)
      }).pipe(Effect.provide(context))))
)

/**
 * The `/api` route (add it to an `HttpLayerRouter` server).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never, never, HttpLayerRouter.HttpRouter | Hub | HubConfig> = Layer.unwrapScoped(
  Effect.gen(function*() {
    const config = yield* HubConfig
    // the group as `Rpc.Any`: its full type (every method) is more than the compiler will expand
    // here; the layer's type above states what it needs
    const group = KojiRpcs as unknown as RpcGroup.RpcGroup<Rpc.Any>
    const app = yield* RpcServer.toHttpApp(group, { spanPrefix: "koji", disableTracing: true }).pipe(
      Effect.provide(RpcSerialization.layerNdjson)
    )
    return HttpLayerRouter.add("POST", path, (request) => {
      const length = Option.fromNullable(request.headers["content-length"]).pipe(Option.map(Number))
      if (Option.isSome(length) && length.value > config.maxRequestLength) {
        return HttpServerResponse.text(`Request too large (over ${config.maxRequestLength} bytes)`, { status: 413 })
      }
      return Transport.withRequestTransport(request, config, (annotated, transport) =>
        Effect.provideService(app, HttpServerRequest.HttpServerRequest, annotated).pipe(
          Effect.map((response) => Transport.withEventId(response, transport))
        )).pipe(
          // bodies without a length are cut at the same limit while they are read
          HttpIncomingMessage.withMaxBodySize(Option.some(config.maxRequestLength)),
          Effect.catchAllDefect((defect) =>
            HttpServerResponse.text(`Invalid request: ${defect instanceof Error ? defect.message : String(defect)}`, {
              status: 400
            }))
        )
    })
  })
)
