/**
 * The hub's HTTP(S) server: one port, each part of the hub a route
 * (`/api`, `/api/upload`, `/kojihub`, `/kojifiles/`; `/koji/` as it lands).
 *
 * @since 0.1.0
 */
import { HttpLayerRouter, HttpMiddleware, HttpServer, type HttpServerError } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Config, Effect, identity, Layer, Option } from "effect"
import * as Http from "node:http"
import * as Https from "node:https"
import * as Fs from "node:fs"
import type { Hub } from "../hub/Hub.js"
import type { HubConfig } from "../hub/HubConfig.js"
import type { FileStore } from "../storage/FileStore.js"
import * as XmlRpcEndpoint from "../xmlrpc/Endpoint.js"
import * as Files from "./Files.js"
import * as HttpApi from "./HttpApi.js"
import * as Transport from "./Transport.js"

/**
 * Where and how to listen.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServerOptions {
  readonly host: string
  /** 0 picks a free port. */
  readonly port: number
  /** Serve HTTPS, asking clients for a certificate signed by `ca` (for `sslLogin`). */
  readonly tls?: {
    readonly key: string | Buffer
    readonly cert: string | Buffer
    readonly ca?: string | Buffer | undefined
  } | undefined
  /** Milliseconds a client may take to send a whole request (Node's `requestTimeout`). */
  readonly requestTimeout?: number | undefined
  /**
   * Make spans (a span per HTTP request and per SQL statement) for a tracer you provide. Off by
   * default: a span costs about as much as a whole read call.
   */
  readonly tracing?: boolean | undefined
}

/**
 * `KOJI_HTTP_HOST` (127.0.0.1), `KOJI_HTTP_PORT` (8080), and `KOJI_TLS_KEY`/`KOJI_TLS_CERT`/`KOJI_TLS_CA` files for HTTPS.
 *
 * @since 0.1.0
 * @category Config
 */
export const config: Config.Config<ServerOptions> = Config.all({
  host: Config.string("KOJI_HTTP_HOST").pipe(Config.withDefault("127.0.0.1")),
  port: Config.integer("KOJI_HTTP_PORT").pipe(
    Config.validate({ message: "Expected a port number from 0 to 65535", validation: (p) => p >= 0 && p <= 65535 }),
    Config.withDefault(8080)
  ),
  key: Config.option(Config.string("KOJI_TLS_KEY")),
  cert: Config.option(Config.string("KOJI_TLS_CERT")),
  ca: Config.option(Config.string("KOJI_TLS_CA"))
}).pipe(Config.map(({ ca, cert, host, key, port }): ServerOptions => ({
  host,
  port,
  tls: Option.isSome(key) && Option.isSome(cert)
    ? {
      key: Fs.readFileSync(key.value),
      cert: Fs.readFileSync(cert.value),
      ca: Option.isSome(ca) ? Fs.readFileSync(ca.value) : undefined
    }
    : undefined
})))

/**
 * Every route of the hub.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerRoutes = Layer.mergeAll(HttpApi.layer, HttpApi.layerUpload, XmlRpcEndpoint.layer, Files.layer)

// Node's server, offering each request to the direct routes before the router (its listener)
const makeServer = (options: ServerOptions, serve: (incoming: Http.IncomingMessage, response: Http.ServerResponse) => boolean) => () => {
  const server = makeNodeServer(options)
  const emit = server.emit
  server.emit = function(this: Http.Server, event: string | symbol, ...args: Array<any>) {
    if (event === "request" && serve(args[0], args[1])) return true
    return emit.apply(this, [event, ...args] as Parameters<typeof emit>)
  } as typeof server.emit
  return server
}

const makeNodeServer = (options: ServerOptions): Http.Server => {
  const requestTimeout = options.requestTimeout ?? 300_000
  const timeouts = {
    requestTimeout,
    headersTimeout: Math.min(60_000, requestTimeout),
    keepAliveTimeout: 5_000,
    // how often Node looks for requests past their timeout (its default is 30 s)
    connectionsCheckingInterval: Math.min(1_000, requestTimeout)
  }
  if (options.tls === undefined) return Http.createServer(timeouts)
  return Https.createServer({
    ...timeouts,
    key: options.tls.key,
    cert: options.tls.cert,
    ...(options.tls.ca === undefined ? {} : { ca: options.tls.ca }),
    // a certificate is asked for, not required: password and anonymous calls still work over HTTPS
    requestCert: options.tls.ca !== undefined,
    rejectUnauthorized: false
  })
}

/**
 * The server on the hub's layers.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: ServerOptions
): Layer.Layer<HttpServer.HttpServer, HttpServerError.ServeError, Hub | HubConfig | FileStore> =>
  Layer.unwrapEffect(Effect.sync(() => {
    // with tracing, every request goes through the router, which makes its span
    const direct = Transport.makeDirectRoutes(options.tracing !== true)
    return HttpLayerRouter.serve(layerRoutes, { disableLogger: true, disableListenLog: true }).pipe(
      options.tracing === true ? identity : (served) =>
        served.pipe(HttpMiddleware.withTracerDisabledWhen(() => true), Layer.provide(Layer.setTracerEnabled(false))),
      Layer.provide(Layer.succeed(Transport.DirectRoutes, direct.service)),
      Layer.provideMerge(NodeHttpServer.layer(makeServer(options, direct.serve), { port: options.port, host: options.host }))
    )
  }))

/**
 * The URL a server listens on (`http://127.0.0.1:8080`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const url: Effect.Effect<string, never, HttpServer.HttpServer> = Effect.map(HttpServer.HttpServer, (server) => {
  const address = server.address
  return address._tag === "UnixAddress"
    ? `http+unix://${address.path}`
    : `http://${address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname}:${address.port}`
})
