/**
 * Tags area of the hub API (reference 8): tags (`tag` + versioned `tag_config`
 * and `tag_extra`), their inheritance (`tag_inheritance`) and the build config a
 * builder reads (`getBuildConfig`).
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { EventId, TagId } from "../domain/Ids.js"
import { Tag, TagListEntry } from "../domain/Tag.js"
import * as Method from "./Method.js"
import { QueryOpts } from "./Users.js"

/**
 * A tag named by its id, its name, or a map with `id` or `name` (Koji's `name_or_id_clause`).
 *
 * @since 0.1.0
 * @category models
 */
export const TagInfo = Schema.Union(
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
export type TagInfo = typeof TagInfo.Type

/**
 * A permission named by id or name.
 *
 * @since 0.1.0
 * @category models
 */
export const PermRef = Schema.Union(Schema.Int, Schema.String)

/**
 * Arches as Koji takes them: a space-separated string or a list.
 *
 * @since 0.1.0
 * @category models
 */
export const Arches = Schema.Union(Schema.String, Schema.Array(Schema.String))

/**
 * @since 0.1.0
 * @category models
 */
export type Arches = typeof Arches.Type

/**
 * An event id, or `"auto"` (`getTag`: the last config of a deleted tag).
 *
 * @since 0.1.0
 * @category models
 */
export const EventOrAuto = Schema.Union(EventId, Schema.Literal("auto"))

/**
 * One direct parent link (`getInheritanceData`).
 *
 * @since 0.1.0
 * @category models
 */
export const InheritanceLink = Schema.Struct({
  parent_id: Schema.Int,
  child_id: Schema.Int,
  name: Schema.String,
  priority: Schema.Int,
  maxdepth: Schema.NullOr(Schema.Int),
  intransitive: Schema.Boolean,
  noconfig: Schema.Boolean,
  pkg_filter: Schema.String
})

/**
 * One entry of the full inheritance walk (`getFullInheritance`): the link plus
 * `currdepth`, `nextdepth` and the accumulated `filter`. A reverse walk names the
 * child `tag_id` (no `child_id`), as Koji does.
 *
 * @since 0.1.0
 * @category models
 */
export const FullInheritanceLink = Schema.Struct({
  parent_id: Schema.Int,
  child_id: Schema.optional(Schema.Int),
  tag_id: Schema.optional(Schema.Int),
  name: Schema.String,
  priority: Schema.Int,
  maxdepth: Schema.NullOr(Schema.Int),
  intransitive: Schema.Boolean,
  noconfig: Schema.Boolean,
  pkg_filter: Schema.String,
  currdepth: Schema.Int,
  nextdepth: Schema.NullOr(Schema.Int),
  filter: Schema.Array(Schema.String)
})

/**
 * One change of `setInheritanceData`: a parent link, or `"delete link": true` with its `parent_id`.
 * Every field is checked by the hub (Koji's "No value for X"), so all are optional here; other
 * keys (`child_id`, `name` from `getInheritanceData`) are ignored.
 *
 * @since 0.1.0
 * @category models
 */
export const InheritanceChange = Schema.Struct({
  parent_id: Schema.optional(Schema.Int),
  // the koji CLI sends --priority as given, a string
  priority: Schema.optional(Schema.Union(Schema.Int, Schema.NumberFromString.pipe(Schema.int()))),
  maxdepth: Schema.optional(Schema.NullOr(Schema.Int)),
  intransitive: Schema.optional(Schema.Boolean),
  noconfig: Schema.optional(Schema.Boolean),
  pkg_filter: Schema.optional(Schema.NullOr(Schema.String)),
  "delete link": Schema.optional(Schema.Boolean)
})

/**
 * @since 0.1.0
 * @category models
 */
export type InheritanceChange = typeof InheritanceChange.Type

/**
 * A tag named in `config_inheritance`.
 *
 * @since 0.1.0
 * @category models
 */
export const TagRef = Schema.Struct({ id: Schema.Int, name: Schema.String })

/**
 * `getBuildConfig`: the tag with arches and extra resolved through inheritance, and where
 * each inherited value came from.
 *
 * @since 0.1.0
 * @category models
 */
export class BuildConfig extends Tag.extend<BuildConfig>("BuildConfig")({
  config_inheritance: Schema.Struct({
    extra: Schema.Record({ key: Schema.String, value: TagRef }),
    arches: Schema.NullOr(TagRef)
  })
}) {}

/**
 * `listTags(package=...)`: the tag plus the package's entry in its own list.
 *
 * @since 0.1.0
 * @category models
 */
export class TagPackageListEntry extends TagListEntry.extend<TagPackageListEntry>("TagPackageListEntry")({
  owner_id: Schema.Int,
  owner_name: Schema.String,
  blocked: Schema.Boolean,
  extra_arches: Schema.NullOr(Schema.String)
}) {}

const bareTagFields = {
  id: TagId,
  name: Schema.String,
  arches: Schema.NullOr(Schema.String),
  locked: Schema.Boolean,
  maven_support: Schema.Boolean,
  maven_include_all: Schema.Boolean
}

/**
 * `listTags(perms=False)`: a tag without `perm_id` and `perm`.
 *
 * @since 0.1.0
 * @category models
 */
export class BareTagListEntry extends Schema.Class<BareTagListEntry>("BareTagListEntry")(bareTagFields) {}

/**
 * `listTags(package=..., perms=False)`.
 *
 * @since 0.1.0
 * @category models
 */
export class BareTagPackageListEntry extends Schema.Class<BareTagPackageListEntry>("BareTagPackageListEntry")({
  ...bareTagFields,
  owner_id: Schema.Int,
  owner_name: Schema.String,
  blocked: Schema.Boolean,
  extra_arches: Schema.NullOr(Schema.String)
}) {}

/**
 * Any row `listTags` answers (the most specific first).
 *
 * @since 0.1.0
 * @category models
 */
export const AnyTagListEntry = Schema.Union(TagPackageListEntry, TagListEntry, BareTagPackageListEntry, BareTagListEntry)

/**
 * A build named by id or N-V-R string (the `build` filter of `listTags`).
 *
 * @since 0.1.0
 * @category models
 */
export const BuildRef = Schema.Union(
  Schema.Int,
  Schema.String,
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * @since 0.1.0
 * @category methods
 */
export const createTag = Method.make("createTag", {
  params: {
    name: Schema.String,
    parent: Method.optional(Schema.NullOr(TagInfo), null),
    arches: Method.optional(Schema.NullOr(Arches), null),
    perm: Method.optional(Schema.NullOr(PermRef), null),
    locked: Method.optional(Schema.Boolean, false),
    maven_support: Method.optional(Schema.Boolean, false),
    maven_include_all: Method.optional(Schema.Boolean, false),
    extra: Method.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })), null)
  },
  success: TagId,
  access: { perm: "tag" },
  doc: "Create a tag (its config, an optional parent link and extra values); returns the tag id"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const editTag2 = Method.make("editTag2", {
  params: {
    tagInfo: TagInfo,
    name: Method.keywordOption(Schema.NullOr(Schema.String)),
    arches: Method.keywordOption(Schema.NullOr(Arches)),
    locked: Method.keywordOption(Schema.Boolean),
    perm: Method.keywordOption(Schema.NullOr(PermRef)),
    perm_id: Method.keywordOption(Schema.NullOr(PermRef)),
    maven_support: Method.keywordOption(Schema.Boolean),
    maven_include_all: Method.keywordOption(Schema.Boolean),
    extra: Method.keywordOption(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
    remove_extra: Method.keywordOption(Schema.NullOr(Schema.Array(Schema.String))),
    block_extra: Method.keywordOption(Schema.NullOr(Schema.Array(Schema.String)))
  },
  varkw: "kwargs",
  access: { perm: "tag" },
  doc: "Edit a tag: name, arches, locked, perm|perm_id, maven flags, extra, remove_extra, block_extra"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const editTag = Method.make("editTag", {
  params: {
    tagInfo: TagInfo,
    name: Schema.NullOr(Schema.String),
    arches: Schema.NullOr(Arches),
    locked: Schema.NullOr(Schema.Boolean),
    permissionID: Schema.NullOr(PermRef),
    extra: Method.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })), null)
  },
  access: { perm: "tag" },
  doc: "Edit a tag (legacy positional form of editTag2)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const deleteTag = Method.make("deleteTag", {
  params: { tagInfo: TagInfo },
  access: { perm: "tag" },
  doc: "Delete a tag: revokes its config, extra, inheritance, package list, listings and the targets using it"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getTag = Method.make("getTag", {
  params: {
    tagInfo: TagInfo,
    strict: Method.optional(Schema.Boolean, false),
    event: Method.optional(Schema.NullOr(EventOrAuto), null),
    blocked: Method.optional(Schema.Boolean, false)
  },
  success: Schema.NullOr(Tag),
  readOnly: true,
  access: "anon",
  doc: "Tag information by id or name, optionally as of an event (\"auto\": a deleted tag's last config)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listTags = Method.make("listTags", {
  params: {
    build: Method.optional(Schema.NullOr(BuildRef), null),
    package: Method.optional(Schema.NullOr(Schema.Union(Schema.Int, Schema.String)), null),
    perms: Method.optional(Schema.Boolean, true),
    queryOpts: Method.optional(Schema.NullOr(QueryOpts), null),
    pattern: Method.optional(Schema.NullOr(Schema.String), null)
  },
  success: Schema.Union(Schema.Array(AnyTagListEntry), Schema.Int),
  readOnly: true,
  access: "anon",
  doc: "List tags, optionally those a build is tagged in, those listing a package, or matching a glob"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getTagID = Method.make("getTagID", {
  params: {
    info: TagInfo,
    strict: Method.optional(Schema.Boolean, false),
    create: Method.optional(Schema.Boolean, false)
  },
  success: Schema.NullOr(TagId),
  access: "anon",
  doc: "Tag id by name or id (create=True adds a bare tag row and needs the tag permission)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getInheritanceData = Method.make("getInheritanceData", {
  params: {
    tag: TagInfo,
    event: Method.optional(Schema.NullOr(EventId), null)
  },
  success: Schema.Array(InheritanceLink),
  readOnly: true,
  access: "anon",
  doc: "The direct parents of a tag, by priority, optionally as of an event"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const setInheritanceData = Method.make("setInheritanceData", {
  params: {
    tag: TagInfo,
    data: Schema.Union(InheritanceChange, Schema.Array(InheritanceChange)),
    clear: Method.optional(Schema.Boolean, false)
  },
  access: { perm: "tag" },
  doc: "Add, change or delete (\"delete link\": True) parent links; clear=True replaces them all"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getFullInheritance = Method.make("getFullInheritance", {
  params: {
    tag: TagInfo,
    event: Method.optional(Schema.NullOr(EventId), null),
    reverse: Method.optional(Schema.Boolean, false),
    stops: Method.keywordOption(Schema.Unknown),
    jumps: Method.keywordOption(Schema.Unknown)
  },
  success: Schema.Array(FullInheritanceLink),
  varkw: "kwargs",
  readOnly: true,
  access: "anon",
  doc: "The full, ordered inheritance of a tag with currdepth/nextdepth/filter; reverse=True lists descendants"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getBuildConfig = Method.make("getBuildConfig", {
  params: {
    tag: TagInfo,
    event: Method.optional(Schema.NullOr(EventId), null)
  },
  success: BuildConfig,
  readOnly: true,
  access: "anon",
  doc: "A tag with arches and extra resolved through inheritance (noconfig links skipped, blocked keys dropped)"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class TagsApi extends RpcGroup.make(
  createTag,
  editTag2,
  editTag,
  deleteTag,
  getTag,
  listTags,
  getTagID,
  getInheritanceData,
  setInheritanceData,
  getFullInheritance,
  getBuildConfig
) {}
