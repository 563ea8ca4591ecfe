/**
 * Koji's XML-RPC API at `/kojihub` (and `/kojihub/ssllogin`), for Koji's own
 * clients: the `koji` CLI, `koji.ClientSession`, fedpkg, bodhi. Every method of
 * the typed API is served here too, from the same definitions, through the same
 * `Dispatcher` (sessions, rights, call numbers, transactions).
 *
 * Koji's HTTP behaviour: POST only (405 otherwise), `400 Invalid request: ...`
 * for a body that cannot be read or parsed, otherwise `200 text/xml` with
 * `Koji-Version`, call errors as faults with Koji's codes.
 *
 * @since 0.1.0
 */
import { HttpLayerRouter, type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Either, Layer } from "effect"
import * as Method from "../api/Method.js"
import { KOJI_VERSION } from "../domain/Constants.js"
import * as Errors from "../domain/Errors.js"
import * as Credentials from "../hub/Credentials.js"
import { Dispatcher, toKojiError } from "../hub/Dispatcher.js"
import type { CurrentCaller } from "../hub/Caller.js"
import type { Hub } from "../hub/Hub.js"
import { HubConfig } from "../hub/HubConfig.js"
import * as HttpApi from "../rpc/HttpApi.js"
import * as Transport from "../rpc/Transport.js"
import * as Arguments from "./Arguments.js"
import * as Codec from "./Codec.js"
import * as SchemaTypes from "./SchemaTypes.js"

/**
 * The paths Koji's clients post to.
 *
 * @since 0.1.0
 * @category constants
 */
export const paths = ["/kojihub", "/kojihub/ssllogin"] as const

const multicallNames = new Set(["multiCall", "system.multicall"])

const xml = (body: string) =>
  HttpServerResponse.text(body, {
    contentType: "text/xml",
    headers: { "Koji-Version": KOJI_VERSION }
  })

const invalid = (reason: string) =>
  HttpServerResponse.text(`Invalid request: ${reason}`, { status: 400, contentType: "text/plain" })

/**
 * Run one XML-RPC call by Koji name and wire arguments; answers the encoded value
 * (doubles marked) ready for the codec.
 *
 * @since 0.1.0
 * @category combinators
 */
export const call = (dispatcher: Dispatcher["Type"], methodName: string, params: ReadonlyArray<unknown>) => {
  const entry = dispatcher.methods.get(methodName)
  if (entry === undefined) return Effect.fail(new Errors.GenericError({ message: `Invalid method: ${methodName}` }))
  const { encodeSuccess } = Method.codecsOf(entry.rpc)
  // the arguments are decoded now, not when the call runs (a call of a batch may run more than once)
  const payload = Arguments.toPayload(entry.info, params)
  if (Either.isLeft(payload)) return Effect.fail(payload.left)
  return dispatcher.invokeEncoded(entry, payload.right).pipe(
    Effect.flatMap((value) => Either.mapLeft(encodeSuccess(value), toKojiError)),
    Effect.map((encoded) => SchemaTypes.markDoubles(entry.rpc.successSchema.ast, encoded))
  )
}

const multicallEntry = (value: unknown): { methodName: string; params: ReadonlyArray<unknown> } | undefined => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined
  const { methodName, params } = value as { methodName?: unknown; params?: unknown }
  if (typeof methodName !== "string") return undefined
  return { methodName, params: Array.isArray(params) ? params : [] }
}

// Koji's multicall: one transaction, a savepoint per call, `[value]` or a fault struct per slot
const multicall = (
  dispatcher: Dispatcher["Type"],
  params: ReadonlyArray<unknown>
): Effect.Effect<Array<unknown>, Errors.KojiError, CurrentCaller> => {
  const calls = params[0]
  if (params.length !== 1 || !Array.isArray(calls)) {
    return Effect.fail(new Errors.ParameterError({ message: "multiCall() takes exactly 1 argument: a list of calls" }))
  }
  return dispatcher.batch(calls.map((c) => {
    const entry = multicallEntry(c)
    return {
      method: entry?.methodName,
      run: entry === undefined
        ? Effect.fail(new Errors.ParameterError({ message: "each call must be a struct with methodName and params" }))
        : multicallNames.has(entry.methodName)
        ? multicall(dispatcher, entry.params).pipe(Effect.mapError(toKojiError))
        : call(dispatcher, entry.methodName, entry.params)
    }
  })).pipe(Effect.map((results) =>
    results.map(Either.match({
      onLeft: (error) => Errors.faultOf(error) as unknown,
      onRight: (value) => [value]
    }))
  ))
}

/**
 * Handle one `/kojihub` request.
 *
 * @since 0.1.0
 * @category combinators
 */
export const handle = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    const dispatcher = yield* Dispatcher
    const config = yield* HubConfig
    if (request.method !== "POST") {
      return HttpServerResponse.text("Method Not Allowed", { status: 405, headers: { Allow: "POST" } })
    }
    if ((request.headers["content-type"] ?? "").startsWith("application/octet-stream")) {
      // Koji's fast upload (`rawUpload`): the body is the chunk, the rest in the query; like
      // Koji's hub, no request limit but the file's
      const { transport, uploaded } = yield* HttpApi.rawUpload(request, config)
      if (Either.isLeft(uploaded)) {
        const fault = Errors.faultOf(toKojiError(uploaded.left))
        return xml(Codec.encodeFault(fault.faultCode, fault.faultString))
      }
      const encoded = yield* Effect.either(Codec.encodeResponse(uploaded.right))
      if (Either.isLeft(encoded)) return xml(Codec.encodeFault(Errors.GenericError.faultCode, encoded.left.message))
      return Transport.withEventId(xml(encoded.right), transport)
    }
    const length = Number(request.headers["content-length"] ?? "0")
    if (length > config.maxRequestLength) return invalid(`request too long (${length} > ${config.maxRequestLength})`)
    const body = yield* Effect.either(Transport.readBody(request, config.maxRequestLength))
    if (Either.isLeft(body)) return invalid(body.left.message)
    const parsed = yield* Effect.either(
      Codec.parseMethodCall(body.right.toString("utf8"), { maxBytes: config.maxRequestLength })
    )
    if (Either.isLeft(parsed)) return invalid(parsed.left.message)
    const { methodName, params } = parsed.right
    const url = new URL(request.url, "http://hub")
    const transport = Transport.of(request, config)
    const outcome = yield* Effect.either(Effect.gen(function*() {
      const credentials = yield* Credentials.fromHeaders(request.headers, url.searchParams)
      return yield* dispatcher.request(
        { method: methodName, credentials, transport },
        multicallNames.has(methodName) ? multicall(dispatcher, params) : call(dispatcher, methodName, params)
      )
    }))
    if (Either.isLeft(outcome)) {
      const fault = Errors.faultOf(toKojiError(outcome.left))
      return xml(Codec.encodeFault(fault.faultCode, fault.faultString))
    }
    const encoded = yield* Effect.either(Codec.encodeResponse(outcome.right))
    if (Either.isLeft(encoded)) {
      return xml(Codec.encodeFault(Errors.GenericError.faultCode, encoded.left.message))
    }
    return Transport.withEventId(xml(encoded.right), transport)
  })

/**
 * The `/kojihub` routes.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never, never, HttpLayerRouter.HttpRouter | Hub | HubConfig> = Layer.unwrapEffect(
  Effect.map(Effect.context<Hub | HubConfig>(), (context) =>
    Layer.mergeAll(
      HttpLayerRouter.add("*", paths[0], (request) => Effect.provide(handle(request), context)),
      HttpLayerRouter.add("*", paths[1], (request) => Effect.provide(handle(request), context))
    ))
)
