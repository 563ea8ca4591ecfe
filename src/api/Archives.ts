/**
 * Archives area of the hub API (reference 9): the read calls around a build's non-RPM
 * content and its metadata that Koji's own CLI makes (`buildinfo`, `list-buildroot`,
 * `rpminfo`, `download-build`): archives and the files inside them, build types and the
 * maven/win/image build records, RPM signatures and a package's changelog.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { Extra } from "../domain/Extra.js"
import { ArchiveId, BuildId, BuildrootId, HostId, RpmId } from "../domain/Ids.js"
import { BuildInfo } from "./Builds.js"
import * as Method from "./Method.js"
import { RpmInfo } from "./Rpms.js"
import { QueryOpts } from "./Users.js"

/**
 * An archive as `listArchives` and `getArchive` answer it: the `archiveinfo` row with its
 * archive type and build type. With `componentBuildrootID` also `component_buildroot_id` and
 * `project`; with `hostID` also `host_id`; with `type` (or from `getArchive`) the type's own
 * fields (maven: `group_id`, `artifact_id`, `version`; win: `relpath`, `platforms`, `flags`;
 * image: `arch`, and from `getArchive` `rootid`).
 *
 * @since 0.1.0
 * @category models
 */
export const Archive = Schema.Struct({
  id: ArchiveId,
  type_id: Schema.Int,
  btype_id: Schema.Int,
  btype: Schema.String,
  build_id: BuildId,
  buildroot_id: Schema.NullOr(BuildrootId),
  filename: Schema.String,
  size: Schema.Int,
  checksum: Schema.String,
  checksum_type: Schema.Int,
  metadata_only: Schema.Boolean,
  extra: Schema.NullOr(Extra),
  type_name: Schema.String,
  type_description: Schema.String,
  type_extensions: Schema.String,
  compression_type: Schema.NullOr(Schema.String),
  component_buildroot_id: Schema.optional(BuildrootId),
  project: Schema.optional(Schema.Boolean),
  host_id: Schema.optional(HostId),
  group_id: Schema.optional(Schema.String),
  artifact_id: Schema.optional(Schema.String),
  version: Schema.optional(Schema.String),
  relpath: Schema.optional(Schema.String),
  platforms: Schema.optional(Schema.String),
  flags: Schema.optional(Schema.NullOr(Schema.String)),
  arch: Schema.optional(Schema.String),
  rootid: Schema.optional(Schema.Boolean)
})

/**
 * @since 0.1.0
 * @category models
 */
export type Archive = typeof Archive.Type

/**
 * One file inside a zip or tar archive (`listArchiveFiles`); `mode`, `user` and `group` for
 * tar members only. `mtime` is seconds since the epoch.
 *
 * @since 0.1.0
 * @category models
 */
export const ArchiveFile = Schema.Struct({
  archive_id: ArchiveId,
  name: Schema.String,
  size: Schema.Int,
  mtime: Schema.Number,
  mode: Schema.optional(Schema.Int),
  user: Schema.optional(Schema.String),
  group: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ArchiveFile = typeof ArchiveFile.Type

/**
 * A build type (`btype` row).
 *
 * @since 0.1.0
 * @category models
 */
export const BType = Schema.Struct({ id: Schema.Int, name: Schema.String })

/**
 * @since 0.1.0
 * @category models
 */
export type BType = typeof BType.Type

/**
 * `listBTypes`' query: one build type by `name` or `id`.
 *
 * @since 0.1.0
 * @category models
 */
export const BTypeQuery = Schema.Struct({
  name: Schema.optional(Schema.String),
  id: Schema.optional(Schema.Int)
})

/**
 * A maven build's record (`maven_builds`).
 *
 * @since 0.1.0
 * @category models
 */
export const MavenBuild = Schema.Struct({
  build_id: BuildId,
  group_id: Schema.String,
  artifact_id: Schema.String,
  version: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type MavenBuild = typeof MavenBuild.Type

/**
 * A Windows build's record (`win_builds`).
 *
 * @since 0.1.0
 * @category models
 */
export const WinBuild = Schema.Struct({ build_id: BuildId, platform: Schema.String })

/**
 * @since 0.1.0
 * @category models
 */
export type WinBuild = typeof WinBuild.Type

/**
 * An image build's marker (`image_builds`).
 *
 * @since 0.1.0
 * @category models
 */
export const ImageBuild = Schema.Struct({ build_id: BuildId })

/**
 * @since 0.1.0
 * @category models
 */
export type ImageBuild = typeof ImageBuild.Type

/**
 * `getBuildType`: each build type of a build mapped to its type info (the build's
 * `extra.typeinfo[btype]`, or the maven/win/image record; `null` when there is none, as for
 * an ordinary rpm build's `rpm`).
 *
 * @since 0.1.0
 * @category models
 */
export const BuildTypeInfo = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * One signature of an RPM (`rpmsigs` row); `sigkey` `""` is the unsigned package.
 *
 * @since 0.1.0
 * @category models
 */
export const RpmSig = Schema.Struct({ rpm_id: RpmId, sigkey: Schema.String, sighash: Schema.String })

/**
 * @since 0.1.0
 * @category models
 */
export type RpmSig = typeof RpmSig.Type

/**
 * One changelog entry: `date` as `YYYY-MM-DD HH:MM:SS` (UTC), `date_ts` seconds since the epoch.
 *
 * @since 0.1.0
 * @category models
 */
export const ChangelogEntry = Schema.Struct({
  date: Schema.String,
  date_ts: Schema.Int,
  author: Schema.String,
  text: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type ChangelogEntry = typeof ChangelogEntry.Type

/**
 * A changelog time bound: seconds since the epoch, a `YYYY-MM-DD[ HH:MM:SS]` string (UTC) or a
 * date.
 *
 * @since 0.1.0
 * @category models
 */
export const ChangelogTime = Schema.Union(Schema.Number, Schema.String, Schema.DateFromSelf)

/**
 * @since 0.1.0
 * @category models
 */
export type ChangelogTime = typeof ChangelogTime.Type

const OptionalId = Method.optional(Schema.NullOr(Schema.Int), null)

/**
 * @since 0.1.0
 * @category methods
 */
export const listArchives = Method.make("listArchives", {
  params: {
    buildID: OptionalId,
    buildrootID: OptionalId,
    componentBuildrootID: OptionalId,
    hostID: OptionalId,
    type: Method.optional(Schema.NullOr(Schema.String), null),
    filename: Method.optional(Schema.NullOr(Schema.String), null),
    size: OptionalId,
    checksum: Method.optional(Schema.NullOr(Schema.String), null),
    checksum_type: OptionalId,
    typeInfo: Method.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })), null),
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null),
    imageID: OptionalId,
    archiveID: OptionalId,
    strict: Method.optional(Schema.Boolean, false)
  },
  success: Schema.Union(Schema.Array(Archive), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "Query archives by build, buildroot, component buildroot, host, type, filename, size, checksum, typeInfo, image, archive id"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getArchive = Method.make("getArchive", {
  params: { archive_id: Schema.Int, strict: Method.optional(Schema.Boolean, false) },
  success: Schema.NullOr(Archive),
  readOnly: true,
  access: "anon",
  doc: "Archive info by id (type-specific fields merged in)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listArchiveFiles = Method.make("listArchiveFiles", {
  params: {
    archive_id: Schema.Int,
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null),
    strict: Method.optional(Schema.Boolean, false)
  },
  success: Schema.Union(Schema.Array(ArchiveFile), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "List files inside a zip/tar archive"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listBTypes = Method.make("listBTypes", {
  params: {
    query: Method.optional(Schema.NullOr(BTypeQuery), null),
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null)
  },
  success: Schema.Union(Schema.Array(BType), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "List build types (rpm, maven, win, image, CG-added)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getMavenBuild = Method.make("getMavenBuild", {
  params: { buildInfo: BuildInfo, strict: Method.optional(Schema.Boolean, false) },
  success: Schema.NullOr(MavenBuild),
  readOnly: true,
  access: "anon",
  doc: "Maven info for a build (group_id, artifact_id, version)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getWinBuild = Method.make("getWinBuild", {
  params: { buildInfo: BuildInfo, strict: Method.optional(Schema.Boolean, false) },
  success: Schema.NullOr(WinBuild),
  readOnly: true,
  access: "anon",
  doc: "Windows info for a build (platform)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getImageBuild = Method.make("getImageBuild", {
  params: { buildInfo: BuildInfo, strict: Method.optional(Schema.Boolean, false) },
  success: Schema.NullOr(ImageBuild),
  readOnly: true,
  access: "anon",
  doc: "Image-build marker for a build ({build_id}) or None"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getBuildType = Method.make("getBuildType", {
  params: { buildInfo: BuildInfo, strict: Method.optional(Schema.Boolean, false) },
  success: Schema.NullOr(BuildTypeInfo),
  readOnly: true,
  access: "anon",
  doc: "Map btype name -> type-specific info for a build"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const queryRPMSigs = Method.make("queryRPMSigs", {
  params: {
    rpm_id: Method.optional(Schema.NullOr(RpmInfo), null),
    sigkey: Method.optional(Schema.NullOr(Schema.String), null),
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null)
  },
  success: Schema.Union(Schema.Array(RpmSig), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "List rpmsigs rows {rpm_id,sigkey,sighash}"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getChangelogEntries = Method.make("getChangelogEntries", {
  params: {
    buildID: Method.optional(Schema.NullOr(BuildInfo), null),
    taskID: OptionalId,
    filepath: Method.optional(Schema.NullOr(Schema.String), null),
    author: Method.optional(Schema.NullOr(Schema.String), null),
    before: Method.optional(Schema.NullOr(ChangelogTime), null),
    after: Method.optional(Schema.NullOr(ChangelogTime), null),
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null),
    strict: Method.optional(Schema.Boolean, false)
  },
  success: Schema.Union(Schema.Array(ChangelogEntry), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "Changelog entries from a build's srpm or a task output rpm; filter author/before/after"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class ArchivesApi extends RpcGroup.make(
  listArchives,
  getArchive,
  listArchiveFiles,
  listBTypes,
  getMavenBuild,
  getWinBuild,
  getImageBuild,
  getBuildType,
  queryRPMSigs,
  getChangelogEntries
) {}
