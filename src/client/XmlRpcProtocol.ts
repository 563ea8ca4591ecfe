/**
 * The typed client over Koji's XML-RPC: each typed call becomes the XML-RPC call
 * Koji's `ClientSession` would send (required parameters positional, the others
 * as `__starstar` keywords when they differ from Koji's default; session id, key
 * and call number in Koji's headers; `sslLogin` to `/ssllogin`; a call that never
 * got an answer retried with the same call number). So `KojiClient` drives a stock
 * Koji hub as well as a koji-ts one.
 *
 * @since 0.1.0
 */
import { HttpBody, HttpClient, HttpClientRequest } from "@effect/platform"
import { RpcClient, RpcClientError, type RpcMessage } from "@effect/rpc"
import { Effect, Layer, Schedule, Schema } from "effect"
import { KojiApi } from "../api/Api.js"
import * as Method from "../api/Method.js"
import * as Errors from "../domain/Errors.js"
import * as Arguments from "../xmlrpc/Arguments.js"
import * as Codec from "../xmlrpc/Codec.js"
import * as Value from "../xmlrpc/Value.js"

// by Koji name, which is also the rpc tag
const methods = Method.methodsOf(KojiApi)

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/**
 * The wire arguments for a call: required parameters positional, others as
 * keywords only when they differ from Koji's default.
 *
 * @since 0.1.0
 * @category combinators
 */
export const wireArguments = (info: Method.MethodInfo, payload: Readonly<Record<string, unknown>>) => {
  const given: Record<string, unknown> = {}
  for (const p of info.params) {
    const value = payload[p.name]
    if (value === undefined) continue
    if (p.hasDefault && p.kind !== "rest" && sameValue(value, p.default)) continue
    given[p.name] = value
  }
  return Arguments.fromPayload(info, given)
}

const toWire = (tag: string, payload: unknown): { readonly methodName: string; readonly params: ReadonlyArray<unknown> } => {
  if (tag === "multiCall") {
    const calls = (payload as { calls: ReadonlyArray<{ methodName: string; params: Record<string, unknown> }> }).calls
    return {
      methodName: "multiCall",
      params: [calls.map((c) => {
        const entry = methods.get(c.methodName)
        return { methodName: c.methodName, params: entry === undefined ? [] : wireArguments(entry.info, c.params ?? {}) }
      })]
    }
  }
  const entry = methods.get(tag)
  if (entry === undefined) return { methodName: tag, params: [] }
  return { methodName: tag, params: wireArguments(entry.info, (payload ?? {}) as Record<string, unknown>) }
}

const encodeError = Schema.encodeSync(Errors.KojiError)

const faultToError = (faultCode: number, faultString: string): Errors.KojiError => {
  const fault = Errors.fromFault(faultCode, faultString)
  return Errors.isKojiError(fault)
    ? fault
    : new Errors.GenericError({ message: `fault ${faultCode}: ${faultString}` })
}

/**
 * The XML-RPC protocol for `RpcClient`, to a Koji hub URL (`https://koji.example.org/kojihub`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerProtocol = (options: {
  readonly url: string
  /** Retries of a call that got no answer (same call number, as Koji's client). */
  readonly retries?: number | undefined
}): Layer.Layer<RpcClient.Protocol, never, HttpClient.HttpClient> =>
  Layer.scoped(
    RpcClient.Protocol,
    RpcClient.Protocol.make((writeResponse) =>
      Effect.gen(function*() {
        const http = yield* HttpClient.HttpClient
        const send = (message: RpcMessage.FromClientEncoded): Effect.Effect<void, RpcClientError.RpcClientError> => {
          if (message._tag !== "Request") return Effect.void
          const request = message
          const { methodName, params } = toWire(request.tag, request.payload)
          return Codec.encodeMethodCall(methodName, params).pipe(
            Effect.mapError((cause) =>
              new RpcClientError.RpcClientError({ reason: "Protocol", message: cause.message, cause })
            ),
            Effect.flatMap((body) => {
              const url = methodName === "sslLogin" ? `${options.url.replace(/\/$/, "")}/ssllogin` : options.url
              const post = HttpClientRequest.post(url).pipe(
                HttpClientRequest.setHeaders(Object.fromEntries(request.headers)),
                HttpClientRequest.setHeaders({ "User-Agent": "koji/1" }),
                HttpClientRequest.setBody(HttpBody.text(body, "text/xml"))
              )
              return http.execute(post).pipe(
                Effect.flatMap((response) =>
                  response.status === 200
                    ? response.text
                    : Effect.flatMap(response.text, (text) =>
                      Effect.fail(new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`)))
                ),
                // a request that never got an answer goes again with the same call number
                Effect.retry(Schedule.recurs(options.retries ?? 2).pipe(Schedule.addDelay(() => "100 millis"))),
                Effect.mapError((cause) =>
                  new RpcClientError.RpcClientError({
                    reason: "Protocol",
                    message: `XML-RPC call ${methodName} failed: ${cause instanceof Error ? cause.message : cause}`,
                    cause
                  })
                )
              )
            }),
            Effect.flatMap((text) =>
              Codec.parseMethodResponse(text).pipe(
                Effect.mapError((cause) =>
                  new RpcClientError.RpcClientError({ reason: "Protocol", message: cause.message, cause })
                )
              )
            ),
            Effect.flatMap((response) =>
              writeResponse({
                _tag: "Exit",
                requestId: request.id,
                exit: response._tag === "Params"
                  ? { _tag: "Success", value: Value.unwrapDoubles(response.value) }
                  : {
                    _tag: "Failure",
                    cause: { _tag: "Fail", error: encodeError(faultToError(response.faultCode, response.faultString)) }
                  }
              } as RpcMessage.FromServerEncoded)
            )
          )
        }
        return { send, supportsAck: false, supportsTransferables: false }
      })
    )
  )
