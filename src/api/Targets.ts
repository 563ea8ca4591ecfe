/**
 * Build targets area of the hub API (reference 8): `build_target` and the
 * versioned `build_target_config` (build tag, destination tag).
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { EventId } from "../domain/Ids.js"
import { Target } from "../domain/Target.js"
import * as Method from "./Method.js"
import { TagInfo } from "./Tags.js"
import { QueryOpts } from "./Users.js"

/**
 * A build target named by its id, its name, or a map with `id` or `name`.
 *
 * @since 0.1.0
 * @category models
 */
export const TargetInfo = Schema.Union(
  Schema.Int,
  Schema.String,
  Schema.Struct({
    id: Schema.optional(Schema.NullOr(Schema.Int)),
    name: Schema.optional(Schema.NullOr(Schema.String))
  })
)

/**
 * @since 0.1.0
 * @category models
 */
export type TargetInfo = typeof TargetInfo.Type

/**
 * @since 0.1.0
 * @category methods
 */
export const createBuildTarget = Method.make("createBuildTarget", {
  params: { name: Schema.String, build_tag: TagInfo, dest_tag: TagInfo },
  access: { perm: "target" },
  doc: "Create a build target: builds in build_tag, results tagged into dest_tag"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const editBuildTarget = Method.make("editBuildTarget", {
  params: { buildTargetInfo: TargetInfo, name: Schema.String, build_tag: TagInfo, dest_tag: TagInfo },
  access: { perm: "target" },
  doc: "Rename a build target and/or set its build and destination tags"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const deleteBuildTarget = Method.make("deleteBuildTarget", {
  params: { buildTargetInfo: TargetInfo },
  access: { perm: "target" },
  doc: "Delete a build target (its config is revoked)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getBuildTargets = Method.make("getBuildTargets", {
  params: {
    info: Method.optional(Schema.NullOr(TargetInfo), null),
    event: Method.optional(Schema.NullOr(EventId), null),
    buildTagID: Method.optional(Schema.NullOr(TagInfo), null),
    destTagID: Method.optional(Schema.NullOr(TagInfo), null),
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null)
  },
  success: Schema.Union(Schema.Array(Target), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "List build targets, by name or id, build tag or destination tag, optionally as of an event"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getBuildTarget = Method.make("getBuildTarget", {
  params: {
    info: TargetInfo,
    event: Method.optional(Schema.NullOr(EventId), null),
    strict: Method.optional(Schema.Boolean, false)
  },
  success: Schema.NullOr(Target),
  readOnly: true,
  access: "anon",
  doc: "One build target by name or id"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class TargetsApi extends RpcGroup.make(
  createBuildTarget,
  editBuildTarget,
  deleteBuildTarget,
  getBuildTargets,
  getBuildTarget
) {}
