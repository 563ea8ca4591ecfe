/**
 * Hosts area of the hub API.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"

/**
 * @since 0.1.0
 * @category groups
 */
export class HostsApi extends RpcGroup.make() {}
