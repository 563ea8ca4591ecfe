/**
 * Implementing an API area: like `group.toLayer`, but a handler may also fail with
 * `SqlError`, which becomes Koji's `GenericError` (with the SQLSTATE in its text)
 * in one place instead of in every handler.
 *
 * @since 0.1.0
 */
import type { Headers } from "@effect/platform"
import { type Rpc, type RpcGroup } from "@effect/rpc"
import type { SqlError } from "@effect/sql"
import { Effect, type Layer, type Scope } from "effect"
import { toKojiError } from "./Dispatcher.js"
import * as Lookup from "./Lookup.js"

/**
 * A handler for every method of a group, allowed to fail with `SqlError` too.
 *
 * @since 0.1.0
 * @category models
 */
export type HandlersOf<Rpcs extends Rpc.Any> = {
  readonly [Current in Rpcs as Current["_tag"]]: (
    payload: Rpc.Payload<Current>,
    options: { readonly clientId: number; readonly headers: Headers.Headers }
  ) => Effect.Effect<Rpc.Success<Current>, Rpc.Error<Current> | SqlError.SqlError, any>
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const toLayer = <Rpcs extends Rpc.Any, EX = never, RX = never>(
  group: RpcGroup.RpcGroup<Rpcs>,
  build: Effect.Effect<HandlersOf<Rpcs>, EX, RX>
): Layer.Layer<Rpc.ToHandler<Rpcs>, EX, Exclude<RX, Scope.Scope> | any> =>
  group.toLayer(Effect.map(build, (handlers) => {
    const wrapped: Record<string, unknown> = {}
    for (const [tag, handler] of Object.entries(handlers) as Array<[string, (...args: Array<any>) => Effect.Effect<any, any, any>]>) {
      wrapped[tag] = Lookup.sameWants(handler, (...args: Array<any>) => Effect.mapError(handler(...args), toKojiError))
    }
    return wrapped as any
  }) as any) as any
