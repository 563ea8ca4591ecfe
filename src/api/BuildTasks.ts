/**
 * The build requests of users (reference 5.8): `build` makes Koji's top-level
 * `build` task and `chainBuild` its `chainbuild` task; the builder does the rest.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { TaskId } from "../domain/Ids.js"
import * as Method from "./Method.js"

/**
 * The options of a `build` task, with the keys Koji's build handler knows (any other key
 * is refused):
 *
 * - `scratch`: build without importing; results land under `scratch/<user>/task_<id>/`
 * - `skip_tag`: import, but do not tag into the target's destination tag
 * - `arch_override`: the arches to build (space-separated; scratch builds only)
 * - `repo_id`: build from this repo (the `build_from_repo_id` policy decides)
 * - `wait_repo`: wait for a repo newer than the task
 * - `wait_builds`: N-V-Rs the repo must hold before building
 * - `fail_fast`: fail the whole build at the first failed arch
 * - `rebuild_srpm`: rebuild an uploaded SRPM in the buildroot (scratch builds only)
 * - `draft`: a draft build (release gets `,draft_<id>`)
 * - `custom_user_metadata`: a JSON object stored in the build's extra
 *
 * @since 0.1.0
 * @category models
 */
export const BuildOpts = Schema.Struct({
  scratch: Schema.optional(Schema.NullOr(Schema.Boolean)),
  skip_tag: Schema.optional(Schema.NullOr(Schema.Boolean)),
  arch_override: Schema.optional(Schema.NullOr(Schema.String)),
  repo_id: Schema.optional(Schema.NullOr(Schema.Int)),
  wait_repo: Schema.optional(Schema.NullOr(Schema.Boolean)),
  wait_builds: Schema.optional(Schema.NullOr(Schema.Array(Schema.String))),
  fail_fast: Schema.optional(Schema.NullOr(Schema.Boolean)),
  rebuild_srpm: Schema.optional(Schema.NullOr(Schema.Boolean)),
  draft: Schema.optional(Schema.NullOr(Schema.Boolean)),
  custom_user_metadata: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
}).annotations({
  identifier: "BuildOpts",
  parseOptions: { onExcessProperty: "error" }
})

/**
 * @since 0.1.0
 * @category models
 */
export type BuildOpts = typeof BuildOpts.Type

/**
 * A channel by id or name.
 *
 * @since 0.1.0
 * @category models
 */
export const ChannelInfo = Schema.Union(Schema.Int, Schema.String)

/**
 * @since 0.1.0
 * @category methods
 */
export const build = Method.make("build", {
  params: {
    src: Schema.String,
    target: Schema.NullOr(Schema.String),
    opts: Method.optional(Schema.NullOr(BuildOpts), null),
    priority: Method.optional(Schema.NullOr(Schema.Int), null),
    channel: Method.optional(Schema.NullOr(ChannelInfo), null)
  },
  success: TaskId,
  access: "login",
  doc: "Create top-level \"build\" task [src,target,opts]; priority is relative to 20 (negative = admin only); "
    + "returns task id"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const chainBuild = Method.make("chainBuild", {
  params: {
    srcs: Schema.Array(Schema.Array(Schema.String)),
    target: Schema.String,
    opts: Method.optional(Schema.NullOr(BuildOpts), null),
    priority: Method.optional(Schema.NullOr(Schema.Int), null),
    channel: Method.optional(Schema.NullOr(ChannelInfo), null)
  },
  success: TaskId,
  access: "login",
  doc: "Create \"chainbuild\" task: srcs is a list of levels (lists of SCM URLs or NVRs) built in order with "
    + "waitrepo between levels"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class BuildTasksApi extends RpcGroup.make(build, chainBuild) {}
