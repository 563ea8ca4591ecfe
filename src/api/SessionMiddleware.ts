/**
 * The middleware every typed call passes through: it resolves the Koji session
 * from the request headers, checks the caller's rights and keeps call numbers.
 *
 * @since 0.1.0
 */
import { RpcMiddleware } from "@effect/rpc"
import { KojiError } from "../domain/Errors.js"

/**
 * @since 0.1.0
 * @category tags
 */
export class SessionMiddleware extends RpcMiddleware.Tag<SessionMiddleware>()("koji/api/SessionMiddleware", {
  wrap: true,
  failure: KojiError
}) {}
