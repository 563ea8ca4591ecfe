/**
 * The versioned tables of tags, inheritance, package lists and build targets as
 * `queryHistory` reads them (Koji's `query_history` fields, name joins and filters).
 *
 * @since 0.1.0
 */
import type { TableDescription } from "./History.js"

/**
 * `tag_inheritance`: parent links. The `tag` filter matches the child or the parent.
 *
 * @since 0.1.0
 * @category tables
 */
export const tagInheritance: TableDescription = {
  table: "tag_inheritance",
  key: ["tag_id", "parent_id"],
  data: ["priority", "maxdepth", "intransitive", "noconfig", "pkg_filter"],
  joins: [
    { on: "tag_id", table: "tag", fields: { "tag.name": "name" } },
    { on: "parent_id", table: "tag", as: "parent", fields: { "parent.name": "name" } }
  ],
  filters: { tag: ["tag_id", "parent_id"] }
}

/**
 * `tag_config`: arches, permission, lock and maven flags of a tag.
 *
 * @since 0.1.0
 * @category tables
 */
export const tagConfig: TableDescription = {
  table: "tag_config",
  key: ["tag_id"],
  data: ["arches", "perm_id", "locked", "maven_support", "maven_include_all"],
  joins: [
    { on: "tag_id", table: "tag", fields: { "tag.name": "name" } },
    { on: "perm_id", table: "permissions", as: "permission", fields: { "permission.name": "name" } }
  ],
  filters: { tag: ["tag_id"], permission: ["perm_id"] }
}

/**
 * `tag_extra`: extra values of a tag (`value` NULL = blocked); `xkey` filters by key.
 *
 * @since 0.1.0
 * @category tables
 */
export const tagExtra: TableDescription = {
  table: "tag_extra",
  key: ["tag_id", "key"],
  data: ["value"],
  joins: [{ on: "tag_id", table: "tag", fields: { "tag.name": "name" } }],
  filters: { tag: ["tag_id"], xkey: { text: ["key"] } }
}

/**
 * `tag_packages`: package-list entries (blocked, extra arches).
 *
 * @since 0.1.0
 * @category tables
 */
export const tagPackages: TableDescription = {
  table: "tag_packages",
  key: ["package_id", "tag_id"],
  data: ["blocked", "extra_arches"],
  joins: [
    { on: "package_id", table: "package", fields: { "package.name": "name" } },
    { on: "tag_id", table: "tag", fields: { "tag.name": "name" } }
  ],
  filters: { tag: ["tag_id"], package: ["package_id"] }
}

/**
 * `tag_package_owners`: the owner of a package-list entry (the `user` filter matches the owner).
 *
 * @since 0.1.0
 * @category tables
 */
export const tagPackageOwners: TableDescription = {
  table: "tag_package_owners",
  key: ["package_id", "tag_id"],
  data: ["owner"],
  joins: [
    { on: "package_id", table: "package", fields: { "package.name": "name" } },
    { on: "tag_id", table: "tag", fields: { "tag.name": "name" } },
    { on: "owner", table: "users", as: "owner", fields: { "owner.name": "name" } }
  ],
  filters: { tag: ["tag_id"], package: ["package_id"], user: ["owner"] }
}

/**
 * `build_target_config`: a target's build and destination tags. As in Koji, the
 * `tag` filter matches the destination tag.
 *
 * @since 0.1.0
 * @category tables
 */
export const buildTargetConfig: TableDescription = {
  table: "build_target_config",
  key: ["build_target_id"],
  data: ["build_tag", "dest_tag"],
  joins: [
    { on: "build_target_id", table: "build_target", fields: { "build_target.name": "name" } },
    { on: "build_tag", table: "tag", as: "build_tag", fields: { "build_tag.name": "name" } },
    { on: "dest_tag", table: "tag", as: "dest_tag", fields: { "dest_tag.name": "name" } }
  ],
  filters: { tag: ["dest_tag"], build_target: ["build_target_id"] }
}

/**
 * The tag-area tables, for `History.descriptions`.
 *
 * @since 0.1.0
 * @category tables
 */
export const tables: ReadonlyArray<TableDescription> = [
  tagInheritance,
  tagConfig,
  tagExtra,
  tagPackages,
  tagPackageOwners,
  buildTargetConfig
]
