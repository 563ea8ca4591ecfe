/**
 * RPMs area of the hub API (reference 9): one RPM by id or N-V-R.A, and lists of
 * RPMs by build, buildroot, image, component buildroot, host and arch.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { Rpm, RpmListEntry } from "../domain/Rpm.js"
import { BuildInfo } from "./Builds.js"
import * as Method from "./Method.js"
import { QueryOpts } from "./Users.js"

/**
 * An RPM as Koji's `get_rpm` takes it: an id, `"N-V-R.A"` (or `"N-V-R.A@location"`, an
 * external repo's name), an id as a string, or `{name, version, release, arch[, location]}`.
 *
 * @since 0.1.0
 * @category models
 */
export const RpmInfo = Schema.Union(
  Schema.Int,
  Schema.String,
  Schema.Struct({
    name: Schema.String,
    version: Schema.String,
    release: Schema.String,
    arch: Schema.String,
    location: Schema.optional(Schema.NullOr(Schema.String))
  })
)

/**
 * @since 0.1.0
 * @category models
 */
export type RpmInfo = typeof RpmInfo.Type

/**
 * @since 0.1.0
 * @category methods
 */
export const getRPM = Method.make("getRPM", {
  params: {
    rpminfo: RpmInfo,
    strict: Method.optional(Schema.Boolean, false),
    multi: Method.optional(Schema.Boolean, false)
  },
  success: Schema.Union(Schema.NullOr(Rpm), Schema.Array(Rpm)),
  readOnly: true,
  access: "anon",
  doc: "Rpm info by id, \"N-V-R.A[@location]\" or dict; multi=True returns all matches across external repos"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listRPMs = Method.make("listRPMs", {
  params: {
    buildID: Method.optional(Schema.NullOr(Schema.Int), null),
    buildrootID: Method.optional(Schema.NullOr(Schema.Int), null),
    imageID: Method.optional(Schema.NullOr(Schema.Int), null),
    componentBuildrootID: Method.optional(Schema.NullOr(Schema.Int), null),
    hostID: Method.optional(Schema.NullOr(Schema.Int), null),
    arches: Method.optional(Schema.NullOr(Schema.Union(Schema.String, Schema.Array(Schema.String))), null),
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null),
    draft: Method.optional(Schema.NullOr(Schema.Boolean), null)
  },
  success: Schema.Union(Schema.Array(RpmListEntry), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "Query rpms by build, buildroot (built in), image, component buildroot (used in), host, arches, draft"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listBuildRPMs = Method.make("listBuildRPMs", {
  params: { build: BuildInfo },
  success: Schema.Array(RpmListEntry),
  readOnly: true,
  access: "anon",
  doc: "All rpms of one build"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class RpmsApi extends RpcGroup.make(getRPM, listRPMs, listBuildRPMs) {}
