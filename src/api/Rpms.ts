/**
 * RPMs area of the hub API (reference 9): one RPM by id or N-V-R.A, and lists of
 * RPMs by build, buildroot, image, component buildroot, host and arch; what an RPM's
 * header holds (`getRPMHeaders`) and the files it lists (`listRPMFiles`, `getRPMFile`).
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { ParseResult, Schema } from "effect"
import { RpmId } from "../domain/Ids.js"
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
 * A header's binary value (rpm answers `bytes`): a `<base64>` value over XML-RPC. Over the
 * JSON transport a byte array travels as the object JSON makes of it, taken back here.
 *
 * @since 0.1.0
 * @category models
 */
export const HeaderBytes = Schema.transformOrFail(
  Schema.Union(Schema.Uint8ArrayFromSelf, Schema.Record({ key: Schema.String, value: Schema.Int })),
  Schema.Uint8ArrayFromSelf,
  {
    strict: true,
    decode: (input, _, ast) => {
      if (input instanceof Uint8Array) return ParseResult.succeed(input)
      const bytes = Object.keys(input).map((key, i) => (key === String(i) ? input[key]! : -1))
      return bytes.every((b) => b >= 0 && b <= 255)
        ? ParseResult.succeed(Uint8Array.from(bytes))
        : ParseResult.fail(new ParseResult.Type(ast, input, "not a byte array"))
    },
    encode: (bytes) => ParseResult.succeed(bytes)
  }
)

/**
 * One value of `getRPMHeaders`, as rpm's Python bindings answer it: a string or a number for a
 * one-value tag (`None` when the package lacks it), a list for a list tag (`[]` when absent),
 * bytes for binary tags (`sigmd5`, `sourcepkgid`).
 *
 * @since 0.1.0
 * @category models
 */
export const HeaderValue = Schema.Union(
  Schema.Null,
  Schema.Int,
  Schema.String,
  HeaderBytes,
  Schema.Array(Schema.Union(Schema.Int, Schema.String, HeaderBytes))
)

/**
 * @since 0.1.0
 * @category models
 */
export type HeaderValue = typeof HeaderValue.Type

/**
 * One file of an RPM (`listRPMFiles`), from the package header: `digest` (and its old name
 * `md5`) in `digest_algo` (`sha256`, `md5`, ...), `""` for directories and links.
 *
 * @since 0.1.0
 * @category models
 */
export const RpmFile = Schema.Struct({
  name: Schema.String,
  digest: Schema.String,
  digest_algo: Schema.String,
  md5: Schema.String,
  size: Schema.Int,
  flags: Schema.Int,
  user: Schema.String,
  group: Schema.String,
  mtime: Schema.Int,
  mode: Schema.Int
})

/**
 * @since 0.1.0
 * @category models
 */
export type RpmFile = typeof RpmFile.Type

/**
 * One file of an RPM as `getRPMFile` answers it: `rpm_id` and the `listRPMFiles` fields.
 *
 * @since 0.1.0
 * @category models
 */
export const RpmFileEntry = Schema.Struct({ rpm_id: RpmId, ...RpmFile.fields })

/**
 * @since 0.1.0
 * @category models
 */
export type RpmFileEntry = typeof RpmFileEntry.Type

/**
 * @since 0.1.0
 * @category methods
 */
export const listRPMFiles = Method.make("listRPMFiles", {
  params: {
    rpmID: RpmInfo,
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null)
  },
  success: Schema.Union(Schema.Array(RpmFile), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "Files in rpm header"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getRPMFile = Method.make("getRPMFile", {
  params: {
    rpmID: RpmInfo,
    filename: Schema.String,
    strict: Method.optional(Schema.Boolean, false)
  },
  success: Schema.Union(RpmFileEntry, Schema.Struct({})),
  readOnly: true,
  access: "anon",
  doc: "One file entry from rpm header"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getRPMHeaders = Method.make("getRPMHeaders", {
  params: {
    rpmID: Method.optional(Schema.NullOr(RpmInfo), null),
    taskID: Method.optional(Schema.NullOr(Schema.Int), null),
    filepath: Method.optional(Schema.NullOr(Schema.String), null),
    headers: Method.optional(Schema.NullOr(Schema.Array(Schema.String)), null),
    strict: Method.optional(Schema.Boolean, false)
  },
  success: Schema.Record({ key: Schema.String, value: HeaderValue }),
  readOnly: true,
  access: "anon",
  doc: "Selected header tags from an rpm (by rpmID or taskID+filepath)"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class RpmsApi extends RpcGroup.make(
  getRPM,
  listRPMs,
  listBuildRPMs,
  listRPMFiles,
  getRPMFile,
  getRPMHeaders
) {}
