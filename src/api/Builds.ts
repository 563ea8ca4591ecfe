/**
 * Builds area of the hub API (reference 9): builds by id or N-V-R, listing with
 * Koji's filters, the next release, empty builds, and the state changes an admin
 * or owner makes (delete, cancel, reset); plus Koji's generic `search`.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { Build, BuildListEntry } from "../domain/Build.js"
import { BuildId, BuildrootId, RpmId } from "../domain/Ids.js"
import { BuildRef, HistoryTime, NameOrId } from "./Events.js"
import * as Method from "./Method.js"
import { QueryOpts, UserInfo } from "./Users.js"

/**
 * A build as Koji's `get_build` takes it: an id, an N-V-R string or `{name, version, release}`.
 *
 * @since 0.1.0
 * @category models
 */
export const BuildInfo = BuildRef

/**
 * @since 0.1.0
 * @category models
 */
export type BuildInfo = typeof BuildInfo.Type

/**
 * The `{name, version}` `getNextRelease` looks at.
 *
 * @since 0.1.0
 * @category models
 */
export const NameVersion = Schema.Struct({ name: Schema.String, version: Schema.String })

/**
 * One `search` hit.
 *
 * @since 0.1.0
 * @category models
 */
export const SearchResult = Schema.Struct({ id: Schema.Int, name: Schema.String })

/**
 * @since 0.1.0
 * @category models
 */
export type SearchResult = typeof SearchResult.Type

/**
 * @since 0.1.0
 * @category methods
 */
export const getBuild = Method.make("getBuild", {
  params: {
    buildInfo: BuildInfo,
    strict: Method.optional(Schema.Boolean, false)
  },
  success: Schema.NullOr(Build),
  readOnly: true,
  access: "anon",
  doc: "Build info by id, \"N-V-R\" string, or {name,version,release}; None unless strict"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listBuilds = Method.make("listBuilds", {
  params: {
    packageID: Method.optional(Schema.NullOr(NameOrId), null),
    userID: Method.optional(Schema.NullOr(UserInfo), null),
    taskID: Method.optional(Schema.NullOr(Schema.Int), null),
    prefix: Method.optional(Schema.NullOr(Schema.String), null),
    state: Method.optional(Schema.NullOr(Schema.Int), null),
    volumeID: Method.optional(Schema.NullOr(Schema.Int), null),
    source: Method.optional(Schema.NullOr(Schema.String), null),
    createdBefore: Method.optional(Schema.NullOr(HistoryTime), null),
    createdAfter: Method.optional(Schema.NullOr(HistoryTime), null),
    completeBefore: Method.optional(Schema.NullOr(HistoryTime), null),
    completeAfter: Method.optional(Schema.NullOr(HistoryTime), null),
    type: Method.optional(Schema.NullOr(Schema.String), null),
    typeInfo: Method.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })), null),
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null),
    pattern: Method.optional(Schema.NullOr(Schema.String), null),
    cgID: Method.optional(Schema.NullOr(NameOrId), null),
    draft: Method.optional(Schema.NullOr(Schema.Boolean), null),
    promotedBefore: Method.optional(Schema.NullOr(HistoryTime), null),
    promotedAfter: Method.optional(Schema.NullOr(HistoryTime), null),
    promoter: Method.optional(Schema.NullOr(UserInfo), null)
  },
  success: Schema.Union(Schema.Array(BuildListEntry), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "Query builds by package, user, task, prefix, pattern, state, volume, source, time ranges, type/typeInfo, cg, "
    + "draft, promoter"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getNextRelease = Method.make("getNextRelease", {
  params: {
    build_info: NameVersion,
    incr: Method.optional(Schema.Int, 1)
  },
  success: Schema.String,
  readOnly: true,
  access: "anon",
  doc: "Next release for {name,version} from newest non-draft COMPLETE/DELETED/BUILDING build: N->N+incr, "
    + "N.dist->N+incr.dist, A.B.N->A.B.N+incr, none->incr; other forms raise BuildError"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const createEmptyBuild = Method.make("createEmptyBuild", {
  params: {
    name: Schema.String,
    version: Schema.String,
    release: Schema.String,
    epoch: Schema.NullOr(Schema.Int),
    owner: Method.optional(Schema.NullOr(UserInfo), null),
    draft: Method.optional(Schema.Boolean, false)
  },
  success: BuildId,
  access: { perm: "admin" },
  doc: "Create a COMPLETE build row with no content; returns build id"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const deleteBuild = Method.make("deleteBuild", {
  params: {
    build: BuildInfo,
    strict: Method.optional(Schema.Boolean, true),
    min_ref_age: Method.optional(Schema.Number, 604800)
  },
  success: Schema.NullOr(Schema.Boolean),
  access: { perm: "admin" },
  doc: "Mark build DELETED if unreferenced (min_ref_age seconds since last use in a buildroot); "
    + "strict raises if not possible"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const cancelBuild = Method.make("cancelBuild", {
  params: {
    buildID: BuildInfo,
    strict: Method.optional(Schema.Boolean, false)
  },
  success: Schema.Boolean,
  access: "login",
  doc: "Cancel a BUILDING build and its task tree (owner or admin); returns bool"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const resetBuild = Method.make("resetBuild", {
  params: { build: BuildInfo },
  access: { perm: "admin" },
  doc: "Destructive: reset build to CANCELED, null task, DEFAULT volume, drop rpms/archives/buildroot refs"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const search = Method.make("search", {
  params: {
    terms: Schema.String,
    type: Schema.String,
    matchType: Schema.NullOr(Schema.String),
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null)
  },
  success: Schema.Union(Schema.Array(SearchResult), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "Search -> [{id,name}]: type package|build|tag|target|user|host|rpm|maven|win (\"file\" returns []); "
    + "matchType glob|regexp (case-insensitive), anything else = exact"
})

/**
 * What `importRPM` answers: the RPM as read from its header and recorded (Koji's
 * `import_rpm` result), with the build it joined.
 *
 * @since 0.1.0
 * @category models
 */
export const ImportedRpm = Schema.Struct({
  name: Schema.String,
  version: Schema.String,
  release: Schema.String,
  epoch: Schema.NullOr(Schema.Int),
  sourcepackage: Schema.NullOr(Schema.Int),
  arch: Schema.String,
  buildtime: Schema.Int,
  sourcerpm: Schema.NullOr(Schema.String),
  draft: Schema.Boolean,
  id: RpmId,
  build_id: BuildId,
  size: Schema.Int,
  payloadhash: Schema.String,
  buildroot_id: Schema.NullOr(BuildrootId),
  external_repo_id: Schema.Int,
  build: Build,
  brootid: Schema.NullOr(BuildrootId)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ImportedRpm = typeof ImportedRpm.Type

/**
 * One log file of a build: its name, the directory under the build's logs it is in (the arch,
 * `.` for the logs directory itself) and its path under the topdir.
 *
 * @since 0.1.0
 * @category models
 */
export const BuildLog = Schema.Struct({ name: Schema.String, dir: Schema.String, path: Schema.String })

/**
 * @since 0.1.0
 * @category models
 */
export type BuildLog = typeof BuildLog.Type

/**
 * @since 0.1.0
 * @category methods
 */
export const importRPM = Method.make("importRPM", {
  params: { path: Schema.String, basename: Schema.String },
  success: ImportedRpm,
  access: { perm: "admin" },
  doc: "Import an uploaded rpm (work/<path>/<basename>) into the database and build dir"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getBuildLogs = Method.make("getBuildLogs", {
  params: { build: BuildInfo },
  success: Schema.Array(BuildLog),
  readOnly: true,
  access: "anon",
  doc: "List log files of a COMPLETE build [{name,dir,path}]"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class BuildsApi extends RpcGroup.make(
  getBuild,
  listBuilds,
  getNextRelease,
  createEmptyBuild,
  deleteBuild,
  cancelBuild,
  resetBuild,
  search,
  importRPM,
  getBuildLogs
) {}
