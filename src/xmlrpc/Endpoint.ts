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
import { Context, Effect, Either, Layer } from "effect"
import * as Method from "../api/Method.js"
import { KOJI_VERSION } from "../domain/Constants.js"
import * as Errors from "../domain/Errors.js"
import * as Credentials from "../hub/Credentials.js"
import type * as Lookup from "../hub/Lookup.js"
import { Dispatcher, toKojiError } from "../hub/Dispatcher.js"
import type * as Caller from "../hub/Caller.js"
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

const xml = (body: string): Transport.Reply => ({
  status: 200,
  contentType: "text/xml",
  headers: { "Koji-Version": KOJI_VERSION },
  body
})

const invalid = (reason: string): Transport.Reply => ({
  status: 400,
  contentType: "text/plain",
  body: `Invalid request: ${reason}`
})

const fault = (error: unknown) => {
  const { faultCode, faultString } = Errors.faultOf(toKojiError(error))
  return xml(Codec.encodeFault(faultCode, faultString))
}

// a value answered, or the fault of a value that does not encode
const answer = (value: unknown, transport: Caller.Transport) =>
  Effect.map(Effect.either(Codec.encodeResponse(value)), (encoded) =>
    Either.isLeft(encoded)
      ? xml(Codec.encodeFault(Errors.GenericError.faultCode, encoded.left.message))
      : Transport.withEventIdReply(xml(encoded.right), transport))

/**
 * Run one XML-RPC call by Koji name and wire arguments; answers the encoded value
 * (doubles marked) ready for the codec.
 *
 * @since 0.1.0
 * @category combinators
 */
export const call = (dispatcher: Dispatcher["Type"], methodName: string, params: ReadonlyArray<unknown>) =>
  prepare(dispatcher, methodName, params).run

// a call, and the lookups it will make (a batch reads them ahead)
const prepare = (
  dispatcher: Dispatcher["Type"],
  methodName: string,
  params: ReadonlyArray<unknown>
): {
  readonly run: Effect.Effect<unknown, Errors.KojiError, Caller.CurrentCaller>
  readonly wants?: () => ReadonlyArray<Lookup.Want>
} => {
  const entry = dispatcher.methods.get(methodName)
  if (entry === undefined) return { run: Effect.fail(new Errors.GenericError({ message: `Invalid method: ${methodName}` })) }
  const { encodeSuccess } = Method.codecsOf(entry.rpc)
  // the arguments are decoded now, not when the call runs (a call of a batch may run more than once)
  const payload = Arguments.toPayload(entry.info, params)
  if (Either.isLeft(payload)) return { run: Effect.fail(payload.left) }
  const { run, wants } = dispatcher.prepareEncoded(entry, payload.right)
  return {
    run: run.pipe(
      Effect.flatMap((value) => Either.mapLeft(encodeSuccess(value), toKojiError)),
      Effect.map((encoded) => SchemaTypes.markDoubles(entry.rpc.successSchema.ast, encoded))
    ),
    wants
  }
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
): Effect.Effect<Array<unknown>, Errors.KojiError, Caller.CurrentCaller> => {
  const calls = params[0]
  if (params.length !== 1 || !Array.isArray(calls)) {
    return Effect.fail(new Errors.ParameterError({ message: "multiCall() takes exactly 1 argument: a list of calls" }))
  }
  return dispatcher.batch(calls.map((c) => {
    const entry = multicallEntry(c)
    if (entry === undefined) {
      return {
        method: undefined,
        run: Effect.fail(new Errors.ParameterError({ message: "each call must be a struct with methodName and params" }))
      }
    }
    return multicallNames.has(entry.methodName)
      ? { method: entry.methodName, run: multicall(dispatcher, entry.params).pipe(Effect.mapError(toKojiError)) }
      : { method: entry.methodName, ...prepare(dispatcher, entry.methodName, entry.params) }
  })).pipe(Effect.map((results) =>
    results.map(Either.match({
      onLeft: (error) => Errors.faultOf(error) as unknown,
      onRight: (value) => [value]
    }))
  ))
}

/**
 * Answer one XML-RPC call (a `POST` whose body is not a raw upload) from its whole body.
 *
 * @since 0.1.0
 * @category combinators
 */
export const answerCall = (
  dispatcher: Dispatcher["Type"],
  request: Pick<Transport.CallRequest, "url" | "headers" | "transport">,
  body: Buffer,
  maxRequestLength: number
): Effect.Effect<Transport.Reply> =>
  Effect.gen(function*() {
    const parsed = yield* Effect.either(Codec.parseMethodCall(body.toString("utf8"), { maxBytes: maxRequestLength }))
    if (Either.isLeft(parsed)) return invalid(parsed.left.message)
    const { methodName, params } = parsed.right
    const { transport } = request
    const query = request.url.indexOf("?")
    const outcome = yield* Effect.either(Effect.flatMap(
      Credentials.fromHeaders(
        request.headers as Readonly<Record<string, string | undefined>>,
        query < 0 ? undefined : new URLSearchParams(request.url.slice(query + 1))
      ),
      (credentials) =>
        dispatcher.request(
          { method: methodName, credentials, transport },
          multicallNames.has(methodName) ? multicall(dispatcher, params) : call(dispatcher, methodName, params)
        )
    ))
    return Either.isLeft(outcome) ? fault(outcome.left) : yield* answer(outcome.right, transport)
  })

// a call: refused when its length is over the limit, else its body read and answered
const answerPost = (
  dispatcher: Dispatcher["Type"],
  request: Transport.CallRequest,
  maxRequestLength: number
): Effect.Effect<Transport.Reply> => {
  const length = Number(request.headers["content-length"] ?? "0")
  if (length > maxRequestLength) return Effect.succeed(invalid(`request too long (${length} > ${maxRequestLength})`))
  return Effect.flatMap(Effect.either(request.body), (body) =>
    Either.isLeft(body)
      ? Effect.succeed(invalid(body.left.message))
      : answerCall(dispatcher, request, body.right, maxRequestLength))
}

const isRawUpload = (contentType: string | undefined) => (contentType ?? "").startsWith("application/octet-stream")

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
    if (isRawUpload(request.headers["content-type"])) {
      // Koji's fast upload (`rawUpload`): the body is the chunk, the rest in the query; like
      // Koji's hub, no request limit but the file's
      const { transport, uploaded } = yield* HttpApi.rawUpload(request, config)
      return Transport.toResponse(
        Either.isLeft(uploaded) ? fault(uploaded.left) : yield* answer(uploaded.right, transport)
      )
    }
    return Transport.toResponse(
      yield* answerPost(dispatcher, Transport.callRequest(request, config), config.maxRequestLength)
    )
  })

const pathSet: ReadonlySet<string> = new Set(paths)

/**
 * The `/kojihub` routes.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never, never, HttpLayerRouter.HttpRouter | Hub | HubConfig> = Layer.unwrapScoped(
  Effect.gen(function*() {
    const context = yield* Effect.context<Hub | HubConfig>()
    const dispatcher = Context.get(context, Dispatcher)
    const config = Context.get(context, HubConfig)
    // calls (not uploads) are answered on Node's request when the server offers it
    yield* Transport.addDirectRoute((incoming, path) =>
      incoming.method !== "POST" || !pathSet.has(path) || isRawUpload(incoming.headers["content-type"])
        ? undefined
        : answerPost(dispatcher, Transport.callRequestOfNode(incoming, path, config), config.maxRequestLength)
    )
    return Layer.mergeAll(
      HttpLayerRouter.add("*", paths[0], (request) => Effect.provide(handle(request), context)),
      HttpLayerRouter.add("*", paths[1], (request) => Effect.provide(handle(request), context))
    )
  })
)
