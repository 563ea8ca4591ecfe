/**
 * Task requests and results kept as Koji keeps them: the request as an XML-RPC
 * `methodCall` document (the task method, its arglist, keyword arguments in a
 * trailing `__starstar` struct), the result as a `methodResponse` document or a
 * fault document. Koji's own clients read them unchanged; our API decodes them.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { fromFault, GenericError, isKojiError, type KojiError, ParameterError } from "../domain/Errors.js"
import * as Codec from "../xmlrpc/Codec.js"
import { unwrapDoubles } from "../xmlrpc/Value.js"

/**
 * Encode a task's arglist (and keyword arguments) as Koji stores it.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeRequest = (
  method: string,
  arglist: ReadonlyArray<unknown>,
  kwargs?: Readonly<Record<string, unknown>> | null
): Effect.Effect<string, ParameterError> =>
  Codec.encodeMethodCall(
    method,
    kwargs && Object.keys(kwargs).length > 0 ? [...arglist, { ...kwargs, __starstar: true }] : arglist
  ).pipe(Effect.mapError((e) => new ParameterError({ message: `unencodable task arguments: ${e.message}` })))

/**
 * The arglist of a stored request (old base64 rows too); `kwargs` stay as the trailing
 * `__starstar` struct, as Koji's `getTaskInfo(request=True)` answers.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeRequest = (request: string): Effect.Effect<ReadonlyArray<unknown>, GenericError> =>
  Codec.parseMethodCall(
    request.trimStart().startsWith("<") ? request : Buffer.from(request, "base64").toString("utf8")
  ).pipe(
    Effect.map((call) => unwrapDoubles(call.params) as ReadonlyArray<unknown>),
    Effect.mapError((e) => new GenericError({ message: `unreadable task request: ${e.message}` }))
  )

/**
 * A handler's return value as a `methodResponse` document.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeResult = (value: unknown): Effect.Effect<string, ParameterError> =>
  Codec.encodeResponse(value).pipe(
    Effect.mapError((e) => new ParameterError({ message: `unencodable task result: ${e.message}` }))
  )

/**
 * A failure as a fault document (`faultCode` from the error's class).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeFailure = (faultCode: number, faultString: string): string =>
  Codec.encodeFault(faultCode, faultString)

/**
 * A stored result: its value, or the fault it holds.
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome =
  | { readonly _tag: "Value"; readonly value: unknown }
  | { readonly _tag: "Fault"; readonly faultCode: number; readonly faultString: string }

/**
 * Read a stored result document (a response, or a fault).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeResult = (result: string): Effect.Effect<Outcome, GenericError> =>
  Codec.parseMethodResponse(
    result.trimStart().startsWith("<") ? result : Buffer.from(result, "base64").toString("utf8")
  ).pipe(
    Effect.map((response): Outcome =>
      response._tag === "Fault"
        ? { _tag: "Fault", faultCode: response.faultCode, faultString: response.faultString }
        : { _tag: "Value", value: unwrapDoubles(response.value) }
    ),
    Effect.mapError((e) => new GenericError({ message: `unreadable task result: ${e.message}` }))
  )

/**
 * The typed error a stored fault stands for.
 *
 * @since 0.1.0
 * @category decoding
 */
export const faultError = (outcome: { readonly faultCode: number; readonly faultString: string }): KojiError => {
  const error = fromFault(outcome.faultCode, outcome.faultString)
  return isKojiError(error) ? error : new GenericError({ message: outcome.faultString })
}
