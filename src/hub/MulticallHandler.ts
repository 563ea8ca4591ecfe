/**
 * The hub side of `multiCall` (Koji's semantics): one transaction for the batch,
 * each call in a savepoint with its own rights check; a failed call is rolled back
 * alone and answered with its fault, its neighbours' writes stay.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Effect, Either } from "effect"
import * as Method from "../api/Method.js"
import { multiCall } from "../api/Multicall.js"
import { faultOf, GenericError } from "../domain/Errors.js"
import { Dispatcher, toKojiError } from "./Dispatcher.js"

/**
 * The group that holds `multiCall`.
 *
 * @since 0.1.0
 * @category groups
 */
export class MulticallApi extends RpcGroup.make(multiCall) {}

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = MulticallApi.toLayer(Effect.gen(function*() {
  const dispatcher = yield* Dispatcher
  return MulticallApi.of({
    multiCall: ({ calls }) =>
      dispatcher.batch(calls.map((call) => {
        const entry = dispatcher.methods.get(call.methodName)
        if (entry === undefined) {
          return {
            method: call.methodName,
            run: Effect.fail(new GenericError({ message: `Invalid method: ${call.methodName}` }))
          }
        }
        const { run, wants } = dispatcher.prepareEncoded(entry, call.params)
        const { encodeSuccess } = Method.codecsOf(entry.rpc)
        return {
          method: call.methodName,
          run: Effect.flatMap(run, (value) => Either.mapLeft(encodeSuccess(value), toKojiError)),
          wants
        }
      })).pipe(Effect.map((results) =>
        results.map(Either.match({
          onLeft: (error) => faultOf(error),
          onRight: (value) => [value] as const
        }))
      ))
  })
}))
