/**
 * The build calls of builder hosts (Koji's `host.*`, reference 9 and 5.8): a
 * build's life on the hub (`initBuild` -> BUILDING, `completeBuild` imports it,
 * `failBuild`), scratch results (`moveBuildToScratch`) and the policy checks the
 * build handler asks the hub for.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { Build } from "../domain/Build.js"
import { BuildId } from "../domain/Ids.js"
import * as Method from "./Method.js"

/**
 * What `host.initBuild` takes: the SRPM's N-V-R and epoch, the build task, and optionally
 * the source (the resolved SCM URL), extra data and the draft flag.
 *
 * @since 0.1.0
 * @category models
 */
export const InitBuildData = Schema.Struct({
  name: Schema.String,
  version: Schema.String,
  release: Schema.String,
  epoch: Schema.NullOr(Schema.Int),
  task_id: Schema.Int,
  source: Schema.optional(Schema.NullOr(Schema.String)),
  extra: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  draft: Schema.optional(Schema.NullOr(Schema.Boolean))
})

/**
 * @since 0.1.0
 * @category models
 */
export type InitBuildData = typeof InitBuildData.Type

/**
 * Uploaded files by arch (paths relative to `work/`), e.g. `x86_64` to a list of
 * `tasks/.../build.log` paths; the key `""` means the logs directory itself.
 *
 * @since 0.1.0
 * @category models
 */
export const LogMap = Schema.Record({ key: Schema.String, value: Schema.Array(Schema.String) })

/**
 * @since 0.1.0
 * @category models
 */
export type LogMap = typeof LogMap.Type

/**
 * The buildroot each uploaded package was built in (path relative to `work/` to buildroot id).
 *
 * @since 0.1.0
 * @category models
 */
export const BuildrootMap = Schema.Record({ key: Schema.String, value: Schema.Int })

/**
 * @since 0.1.0
 * @category models
 */
export type BuildrootMap = typeof BuildrootMap.Type

const PolicyData = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * @since 0.1.0
 * @category methods
 */
export const initBuild = Method.make("host.initBuild", {
  params: { data: InitBuildData },
  success: BuildId,
  access: "host",
  doc: "Create (or recycle) BUILDING rpm build from {name,version,release,epoch,task_id[,source,extra,draft]}; "
    + "owner = task owner; returns build id"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const completeBuild = Method.make("host.completeBuild", {
  params: {
    task_id: Schema.Int,
    build_id: Schema.Int,
    srpm: Schema.String,
    rpms: Schema.Array(Schema.String),
    brmap: Method.optional(Schema.NullOr(BuildrootMap), null),
    logs: Method.optional(Schema.NullOr(LogMap), null)
  },
  success: Build,
  access: "host",
  doc: "import_build: import srpm+rpms (paths under work/), brmap file->buildroot id, logs {arch:[paths]}; "
    + "build -> COMPLETE; sends build notification"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const failBuild = Method.make("host.failBuild", {
  params: { task_id: Schema.Int, build_id: Schema.Int },
  access: "host",
  doc: "Mark BUILDING build FAILED (completion_time=NOW) and notify"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const moveBuildToScratch = Method.make("host.moveBuildToScratch", {
  params: {
    task_id: Schema.Int,
    srpm: Schema.String,
    rpms: Schema.Array(Schema.String),
    logs: Method.optional(Schema.NullOr(LogMap), null)
  },
  access: "host",
  doc: "Move scratch build srpm/rpms/logs to scratch/<owner>/task_<id>"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const checkPolicy = Method.make("host.checkPolicy", {
  params: {
    name: Schema.String,
    data: PolicyData,
    default: Method.optional(Schema.String, "deny"),
    strict: Method.optional(Schema.Boolean, false)
  },
  success: Schema.Tuple(Schema.Boolean, Schema.String),
  readOnly: true,
  access: "host",
  doc: "check_policy -> [bool, reason]"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const assertPolicy = Method.make("host.assertPolicy", {
  params: {
    name: Schema.String,
    data: PolicyData,
    default: Method.optional(Schema.String, "deny")
  },
  readOnly: true,
  access: "host",
  doc: "Raise ActionNotAllowed unless policy says allow"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const evalPolicy = Method.make("host.evalPolicy", {
  params: { name: Schema.String, data: PolicyData },
  success: Schema.NullOr(Schema.String),
  readOnly: true,
  access: "host",
  doc: "Raw policy action string"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class HostBuildsApi extends RpcGroup.make(
  initBuild,
  completeBuild,
  failBuild,
  moveBuildToScratch,
  checkPolicy,
  assertPolicy,
  evalPolicy
) {}
