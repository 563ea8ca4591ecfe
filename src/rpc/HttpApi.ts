/**
 * The typed API over HTTP: `POST /api`, NDJSON, `@effect/rpc`.
 *
 * @since 0.1.0
 */
import { HttpIncomingMessage, HttpLayerRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { RpcSerialization, RpcServer } from "@effect/rpc"
import { Effect, Layer, Option } from "effect"
import { KojiRpcs } from "../api/Api.js"
import type { Hub } from "../hub/Hub.js"
import { HubConfig } from "../hub/HubConfig.js"
import * as Transport from "./Transport.js"

/**
 * The path of the typed API.
 *
 * @since 0.1.0
 * @category constants
 */
export const path = "/api"

/**
 * The `/api` route (add it to an `HttpLayerRouter` server).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never, never, HttpLayerRouter.HttpRouter | Hub | HubConfig> = Layer.unwrapScoped(
  Effect.gen(function*() {
    const config = yield* HubConfig
    const app = yield* RpcServer.toHttpApp(KojiRpcs, { spanPrefix: "koji", disableTracing: true }).pipe(
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
