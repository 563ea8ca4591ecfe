/**
 * Packages area of the hub API (reference 8): packages (`package`) and the
 * package lists of tags (versioned `tag_packages` and `tag_package_owners`),
 * read through inheritance.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { EventId, PackageId } from "../domain/Ids.js"
import * as Method from "./Method.js"
import { TagInfo } from "./Tags.js"
import { QueryOpts, UserInfo } from "./Users.js"

/**
 * A package named by its id or name (or a map with `id` or `name`).
 *
 * @since 0.1.0
 * @category models
 */
export const PackageInfo = Schema.Union(
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
export type PackageInfo = typeof PackageInfo.Type

/**
 * A package (`getPackage`).
 *
 * @since 0.1.0
 * @category models
 */
export const Package = Schema.Struct({ id: PackageId, name: Schema.String })

/**
 * A package as `listPackagesSimple` (and `listPackages` without filters) lists it.
 *
 * @since 0.1.0
 * @category models
 */
export const PackageRef = Schema.Struct({ package_id: Schema.Int, package_name: Schema.String })

/**
 * One entry of a tag's package list (`listPackages`, `getPackageConfig`): the tag it
 * comes from (the tag itself or an ancestor), blocked, extra arches and, with
 * `with_owners`, the owner.
 *
 * @since 0.1.0
 * @category models
 */
export const PackageListEntry = Schema.Struct({
  package_id: Schema.Int,
  package_name: Schema.String,
  tag_id: Schema.Int,
  tag_name: Schema.String,
  extra_arches: Schema.NullOr(Schema.String),
  blocked: Schema.Boolean,
  owner_id: Schema.optional(Schema.Int),
  owner_name: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type PackageListEntry = typeof PackageListEntry.Type

// the CLI sends force=None
const Force = Method.optional(Schema.NullOr(Schema.Boolean), false)

/**
 * @since 0.1.0
 * @category methods
 */
export const packageListAdd = Method.make("packageListAdd", {
  params: {
    taginfo: TagInfo,
    pkginfo: PackageInfo,
    owner: Method.optional(Schema.NullOr(UserInfo), null),
    block: Method.optional(Schema.NullOr(Schema.Boolean), null),
    extra_arches: Method.optional(Schema.NullOr(Schema.String), null),
    force: Force,
    update: Method.optional(Schema.NullOr(Schema.Boolean), false)
  },
  access: "login",
  doc: "Add or update a package in a tag's list (owner needed for new entries); policy package_list"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const packageListRemove = Method.make("packageListRemove", {
  params: { taginfo: TagInfo, pkginfo: PackageInfo, force: Force },
  access: "login",
  doc: "Remove a package's entry from this tag's own list (inherited entries stay); policy package_list"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const packageListBlock = Method.make("packageListBlock", {
  params: { taginfo: TagInfo, pkginfo: PackageInfo, force: Force },
  access: "login",
  doc: "Block a listed package in a tag (and every tag inheriting it); policy package_list"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const packageListUnblock = Method.make("packageListUnblock", {
  params: { taginfo: TagInfo, pkginfo: PackageInfo, force: Force },
  access: "login",
  doc: "Unblock a package in a tag (drops this tag's block, or adds an unblocked entry over an inherited one)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const packageListSetOwner = Method.make("packageListSetOwner", {
  params: { taginfo: TagInfo, pkginfo: PackageInfo, owner: UserInfo, force: Force },
  access: "login",
  doc: "Set the owner of a package in a tag"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const packageListSetArches = Method.make("packageListSetArches", {
  params: { taginfo: TagInfo, pkginfo: PackageInfo, arches: Schema.String, force: Force },
  access: "login",
  doc: "Set the extra arches of a package in a tag"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listPackages = Method.make("listPackages", {
  params: {
    tagID: Method.optional(Schema.NullOr(TagInfo), null),
    userID: Method.optional(Schema.NullOr(UserInfo), null),
    pkgID: Method.optional(Schema.NullOr(PackageInfo), null),
    prefix: Method.optional(Schema.NullOr(Schema.String), null),
    inherited: Method.optional(Schema.Boolean, false),
    with_dups: Method.optional(Schema.Boolean, false),
    event: Method.optional(Schema.NullOr(EventId), null),
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null),
    with_owners: Method.optional(Schema.Boolean, true),
    with_blocked: Method.optional(Schema.Boolean, true)
  },
  success: Schema.Union(Schema.Array(Schema.Union(PackageListEntry, PackageRef)), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "Package-list entries by tag (optionally inherited), owner or package, at an event; all packages without filters"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listPackagesSimple = Method.make("listPackagesSimple", {
  params: {
    prefix: Method.optional(Schema.NullOr(Schema.String), null),
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null)
  },
  success: Schema.Union(Schema.Array(PackageRef), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "Packages {package_id, package_name} whose name starts with prefix (case-insensitive)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getPackage = Method.make("getPackage", {
  params: {
    info: PackageInfo,
    strict: Method.optional(Schema.Boolean, false),
    create: Method.optional(Schema.Boolean, false)
  },
  success: Schema.NullOr(Package),
  access: "anon",
  doc: "A package {id, name} by id or name (create=True adds a missing one and needs a login)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getPackageID = Method.make("getPackageID", {
  params: {
    name: Schema.String,
    strict: Method.optional(Schema.Boolean, false)
  },
  success: Schema.NullOr(PackageId),
  readOnly: true,
  access: "anon",
  doc: "Package id by name"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getPackageConfig = Method.make("getPackageConfig", {
  params: {
    tag: TagInfo,
    pkg: PackageInfo,
    event: Method.optional(Schema.NullOr(EventId), null)
  },
  success: Schema.NullOr(PackageListEntry),
  readOnly: true,
  access: "anon",
  doc: "The package-list entry (through inheritance) of a package in a tag, blocked or not, or None"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class PackagesApi extends RpcGroup.make(
  packageListAdd,
  packageListRemove,
  packageListBlock,
  packageListUnblock,
  packageListSetOwner,
  packageListSetArches,
  listPackages,
  listPackagesSimple,
  getPackage,
  getPackageID,
  getPackageConfig
) {}
