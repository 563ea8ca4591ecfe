/**
 * Build targets (`build_target` + versioned `build_target_config`; reference 8).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { TagId, TargetId } from "./Ids.js"

/**
 * A build target as `getBuildTarget` and `getBuildTargets` return it: builds take their buildroot
 * from `build_tag` and land in `dest_tag`.
 *
 * @since 0.1.0
 * @category models
 */
export class Target extends Schema.Class<Target>("Target")({
  id: TargetId,
  name: Schema.String,
  build_tag: TagId,
  build_tag_name: Schema.String,
  dest_tag: TagId,
  dest_tag_name: Schema.String
}) {}
