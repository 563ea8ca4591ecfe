/**
 * How the CLI reaches a hub: one small interface, `call(method, payload)`, with
 * a transport chosen from the server URL:
 *
 * - a koji-ts `/api` URL: the typed RPC (`KojiClient.makeHttp`);
 * - any other URL (Koji's `/kojihub`): Koji's XML-RPC (`KojiClient.makeXmlRpc`), so the
 *   same CLI drives a stock Koji hub.
 *
 * Payloads and results are in their wire form (the encoded side of the method's
 * schemas: plain JSON-like values with Koji's field names), whatever the transport.
 * A transport keeps the session itself: a `login`/`sslLogin` call through it
 * establishes one (later calls carry it), `logout` ends it. For XML-RPC, `call`
 * turns a payload into Koji's wire arguments with `Arguments.fromPayload(info, payload)`
 * (`methodsOf(api)` gives each method's `MethodInfo`), and `callArgs`/`listApi`
 * let the CLI reach methods of a stock Koji hub that this CLI does not define.
 *
 * @since 0.1.0
 */
import { type Rpc } from "@effect/rpc"
import { Data, Effect, ParseResult, Schema, type Scope } from "effect"
import * as Method from "../api/Method.js"
import * as KojiClient from "../client/KojiClient.js"
import * as Errors from "../domain/Errors.js"

/**
 * The hub could not be reached (or answered something that is not a Koji response).
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionError extends Data.TaggedError("ConnectionError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

/**
 * What a call can fail with: a Koji fault from the hub, or no hub.
 *
 * @since 0.1.0
 * @category models
 */
export type CallError = Errors.AnyFault | ConnectionError

/**
 * A group of hub methods (`KojiApi`, or a larger one): an `RpcGroup`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Api {
  readonly requests: ReadonlyMap<string, Rpc.Any>
}

/**
 * A connection to a hub.
 *
 * @since 0.1.0
 * @category models
 */
export interface Connection {
  /** The server URL. */
  readonly url: string
  /** `api` (koji-ts typed RPC) or `xmlrpc`. */
  readonly protocol: string
  /** Call a method with its payload (parameters by name, wire form); answers the result in wire form. */
  readonly call: (method: string, payload: Readonly<Record<string, unknown>>) => Effect.Effect<unknown, CallError>
  /**
   * Call a method this CLI does not define, with Koji's wire arguments (positionals,
   * then a `__starstar` struct of keywords). Only transports that can send any call
   * (XML-RPC) have it.
   */
  readonly callArgs?: ((method: string, args: ReadonlyArray<unknown>) => Effect.Effect<unknown, CallError>) | undefined
  /** The hub's own `_listapi`, for hubs whose API may differ from this CLI's (a stock Koji). */
  readonly listApi?: Effect.Effect<ReadonlyArray<Record<string, unknown>>, CallError> | undefined
}

/**
 * What a transport needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConnectOptions {
  readonly url: string
  /** The methods this CLI knows (their schemas and Koji names). */
  readonly api: Api
  /** A client certificate (PEM with its key) and the hub's CA, for `sslLogin` over HTTPS. */
  readonly tls?: {
    readonly cert: string
    readonly key: string
    readonly ca?: string | undefined
  } | undefined
}

/**
 * Makes a connection; the CLI takes one as a parameter (tests plug in their own).
 *
 * @since 0.1.0
 * @category models
 */
export type Connector = (options: ConnectOptions) => Effect.Effect<Connection, ConnectionError, Scope.Scope>

/**
 * Whether a server URL is a koji-ts typed API (`.../api`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const isTypedApi = (url: string): boolean => {
  try {
    return new URL(url).pathname.replace(/\/+$/, "").endsWith("/api")
  } catch {
    return false
  }
}

/**
 * The methods of a group by Koji name.
 *
 * @since 0.1.0
 * @category combinators
 */
export const methodsOf = (api: Api): ReadonlyMap<string, Method.Entry> => Method.methodsOf(api)

/**
 * Koji's answer to a method it does not have.
 *
 * @since 0.1.0
 * @category errors
 */
export const invalidMethod = (method: string): Errors.GenericError =>
  new Errors.GenericError({ message: `Invalid method: ${method}` })

const isTransportError = (e: unknown): boolean =>
  typeof e === "object" && e !== null && "_tag" in e && (e as { _tag: unknown })._tag === "RpcClientError"

const isFault = (e: unknown): boolean => e instanceof Errors.Fault

const fromClientError = (e: unknown): CallError => {
  if (Errors.isKojiError(e) || isFault(e)) return e as Errors.AnyFault
  if (isTransportError(e)) {
    return new ConnectionError({ message: (e as { message?: string }).message ?? "RpcClientError", cause: e })
  }
  return new ConnectionError({ message: e instanceof Error ? e.message : String(e), cause: e })
}

const lookup = (client: unknown, tag: string): ((payload: unknown) => Effect.Effect<unknown, unknown>) | undefined => {
  const dot = tag.indexOf(".")
  const target = dot === -1 ? client : (client as Record<string, unknown>)[tag.slice(0, dot)]
  const fn = typeof target === "object" && target !== null
    ? (target as Record<string, unknown>)[dot === -1 ? tag : tag.slice(dot + 1)]
    : undefined
  return typeof fn === "function" ? (fn as (payload: unknown) => Effect.Effect<unknown, unknown>) : undefined
}

/**
 * A connection over a typed client (`KojiClient`): decode the wire payload with the
 * method's schema, call, encode the result back to its wire form.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromClient = (
  url: string,
  api: Api,
  client: KojiClient.Client,
  protocol: "api" | "xmlrpc" = "api"
): Connection => {
  const methods = methodsOf(api)
  return {
    url,
    protocol,
    call: (method, payload) =>
      Effect.gen(function*() {
        const entry = methods.get(method)
        const fn = entry === undefined ? undefined : lookup(client, entry.rpc._tag)
        if (entry === undefined || fn === undefined) return yield* invalidMethod(method)
        const decoded = yield* Schema.decodeUnknown(entry.rpc.payloadSchema as Schema.Schema<unknown, unknown>)(payload).pipe(
          Effect.mapError((e) =>
            new Errors.ParameterError({
              message: `invalid arguments for ${method}: ${ParseResult.TreeFormatter.formatErrorSync(e)}`
            })
          )
        )
        const result = yield* Effect.mapError(fn(decoded), fromClientError)
        return yield* Schema.encodeUnknown(entry.rpc.successSchema as Schema.Schema<unknown, unknown>)(result).pipe(
          Effect.orElseSucceed(() => result)
        )
      })
  }
}

/**
 * The typed transport: a koji-ts hub's `/api` over HTTP(S).
 *
 * @since 0.1.0
 * @category constructors
 */
export const connectTyped: Connector = (options) =>
  Effect.map(
    KojiClient.makeHttp({ url: options.url, tls: options.tls }),
    (client) => fromClient(options.url, options.api, client)
  )

/**
 * The XML-RPC transport: Koji's `/kojihub` (a stock Koji hub, or a koji-ts hub's),
 * through `KojiClient.makeXmlRpc`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const connectXmlRpc: Connector = (options) =>
  Effect.map(
    KojiClient.makeXmlRpc({ url: options.url, tls: options.tls }),
    (client) => fromClient(options.url, options.api, client, "xmlrpc")
  )

/**
 * The transport for a server URL: `/api` typed, anything else XML-RPC.
 *
 * @since 0.1.0
 * @category constructors
 */
export const connect: Connector = (options) =>
  isTypedApi(options.url) ? connectTyped(options) : connectXmlRpc(options)
