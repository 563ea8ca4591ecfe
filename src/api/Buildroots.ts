/**
 * Buildroots area of the hub API (reference 10): the builder's `host.*` calls that make a
 * buildroot, move it through its states and record what was installed in it, and the
 * queries `listBuildroots`, `getBuildroot` and `getBuildrootListing`.
 *
 * Beyond Koji: `host.newBuildRoot` takes `repo=None` (a buildroot of the host's own toolchain,
 * as the rpmbuild backend makes before repos exist).
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { Buildroot } from "../domain/Buildroot.js"
import { BuildId, BuildrootId, ExternalRepoId, RpmId } from "../domain/Ids.js"
import * as Method from "./Method.js"
import { QueryOpts } from "./Users.js"

/**
 * One installed package as a builder reports it (`host.setBuildRootList`): an NVRA, with
 * `location` (an external repo's name) and the header facts for RPMs from external repos.
 * An `id` looks an internal RPM up by id.
 *
 * @since 0.1.0
 * @category models
 */
export const BuildrootRpm = Schema.Struct({
  id: Schema.optional(Schema.Int),
  name: Schema.String,
  version: Schema.String,
  release: Schema.String,
  epoch: Schema.optional(Schema.NullOr(Schema.Int)),
  arch: Schema.String,
  location: Schema.optional(Schema.NullOr(Schema.String)),
  payloadhash: Schema.optional(Schema.String),
  size: Schema.optional(Schema.Number),
  buildtime: Schema.optional(Schema.Number)
})

/**
 * @since 0.1.0
 * @category models
 */
export type BuildrootRpm = typeof BuildrootRpm.Type

/**
 * One RPM of `getBuildrootListing`.
 *
 * @since 0.1.0
 * @category models
 */
export const BuildrootListingEntry = Schema.Struct({
  rpm_id: RpmId,
  is_update: Schema.Boolean,
  name: Schema.String,
  version: Schema.String,
  release: Schema.String,
  epoch: Schema.NullOr(Schema.Int),
  arch: Schema.String,
  build_id: Schema.NullOr(BuildId),
  draft: Schema.NullOr(Schema.Boolean),
  external_repo_id: ExternalRepoId,
  external_repo_name: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export type BuildrootListingEntry = typeof BuildrootListingEntry.Type

/**
 * A buildroot state by name (`"BUILDING"`) or number (2).
 *
 * @since 0.1.0
 * @category models
 */
export const BrStateInfo = Schema.Union(Schema.Int, Schema.String)

const OptionalTask = Method.optional(Schema.NullOr(Schema.Int), null)

/**
 * @since 0.1.0
 * @category methods
 */
export const newBuildRoot = Method.make("host.newBuildRoot", {
  params: {
    repo: Schema.NullOr(Schema.Int),
    arch: Schema.String,
    task_id: OptionalTask
  },
  success: BuildrootId,
  access: "host",
  doc: "Create standard buildroot (state INIT, container_type chroot) for repo/arch/task; returns id"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const setBuildRootState = Method.make("host.setBuildRootState", {
  params: {
    brootid: Schema.Int,
    state: BrStateInfo,
    task_id: OptionalTask
  },
  access: "host",
  doc: "Change buildroot state (WAITING/BUILDING/EXPIRED by name or int; EXPIRED sets retire_event)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const setBuildRootList = Method.make("host.setBuildRootList", {
  params: {
    brootid: Schema.Int,
    rpmlist: Schema.Array(BuildrootRpm),
    task_id: OptionalTask
  },
  access: "host",
  doc: "Initial installed-rpm list (buildroot must be INIT); entries are NVRA dicts, external ones with location"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const updateBuildRootList = Method.make("host.updateBuildRootList", {
  params: {
    brootid: Schema.Int,
    rpmlist: Schema.Array(BuildrootRpm),
    task_id: OptionalTask
  },
  access: "host",
  doc: "Add rpms to list with is_update=True (buildroot must be BUILDING)"
})

const IdOrIds = Schema.Union(Schema.Int, Schema.Array(Schema.Int))

/**
 * @since 0.1.0
 * @category methods
 */
export const listBuildroots = Method.make("listBuildroots", {
  params: {
    hostID: Method.optional(Schema.NullOr(Schema.Int), null),
    tagID: Method.optional(Schema.NullOr(Schema.Int), null),
    state: Method.optional(Schema.NullOr(IdOrIds), null),
    rpmID: Method.optional(Schema.NullOr(Schema.Int), null),
    archiveID: Method.optional(Schema.NullOr(Schema.Int), null),
    taskID: Method.optional(Schema.NullOr(Schema.Int), null),
    buildrootID: Method.optional(Schema.NullOr(IdOrIds), null),
    repoID: Method.optional(Schema.NullOr(Schema.Int), null),
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null)
  },
  success: Schema.Union(Schema.Array(Buildroot), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "Query buildroots by host, tag, state (int or list), rpm, archive, task, id, repo"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getBuildroot = Method.make("getBuildroot", {
  params: {
    buildrootID: Schema.Union(Schema.Int, Schema.String),
    strict: Method.optional(Schema.Boolean, false)
  },
  success: Schema.NullOr(Buildroot),
  readOnly: true,
  access: "anon",
  doc: "Buildroot info (standard or CG) by id"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getBuildrootListing = Method.make("getBuildrootListing", {
  params: { id: Schema.Int },
  success: Schema.Array(BuildrootListingEntry),
  readOnly: true,
  access: "anon",
  doc: "Rpms installed in buildroot [{rpm_id,is_update,name,version,release,epoch,arch,build_id,draft,external_repo_id,external_repo_name}]"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class BuildrootsApi extends RpcGroup.make(
  newBuildRoot,
  setBuildRootState,
  setBuildRootList,
  updateBuildRootList,
  listBuildroots,
  getBuildroot,
  getBuildrootListing
) {}
