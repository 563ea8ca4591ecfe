/**
 * Tagging area of the hub API (reference 8): putting builds into tags and taking
 * them out (the versioned `tag_listing`), and reading what a tag holds — all of it,
 * through inheritance, or the latest per package as Koji picks it — now or as of an
 * event; plus the change events repo tools poll.
 *
 * `tagBuild` (which makes a `tagBuild` task) and `host.tagBuild` belong to the tasks
 * area; they reuse the `Tagging` service's checks and write.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { TaggedBuild } from "../domain/Build.js"
import { EventId, TaskId } from "../domain/Ids.js"
import { TaggedRpm } from "../domain/Rpm.js"
import { BuildInfo } from "./Builds.js"
import * as Method from "./Method.js"

/**
 * A tag named by its id or its name.
 *
 * @since 0.1.0
 * @category models
 */
export const TagInfo = Schema.Union(Schema.Int, Schema.String)

/**
 * @since 0.1.0
 * @category models
 */
export type TagInfo = typeof TagInfo.Type

/**
 * Koji's `latest`: `True` for the latest build per package, a number N for the latest N,
 * `False`/`0`/`None` for every build.
 *
 * @since 0.1.0
 * @category models
 */
export const Latest = Schema.NullOr(Schema.Union(Schema.Boolean, Schema.Int))

/**
 * @since 0.1.0
 * @category models
 */
export type Latest = typeof Latest.Type

const flag = (value: boolean) => Method.optional(Schema.NullOr(Schema.Boolean), value)
const text = Method.optional(Schema.NullOr(Schema.String), null)
const event = Method.optional(Schema.NullOr(EventId), null)
const arch = Method.optional(Schema.NullOr(Schema.Union(Schema.String, Schema.Array(Schema.String))), null)

/**
 * @since 0.1.0
 * @category methods
 */
export const tagBuildBypass = Method.make("tagBuildBypass", {
  params: {
    tag: TagInfo,
    build: BuildInfo,
    force: flag(false),
    notify: flag(false)
  },
  access: { perm: "tag" },
  doc: "Tag a build immediately (no task); force allows locked tag/retag; notify sends tag notification"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const untagBuild = Method.make("untagBuild", {
  params: {
    tag: TagInfo,
    build: BuildInfo,
    strict: flag(true),
    force: flag(false)
  },
  access: "login",
  doc: "Untag synchronously (no task) and send tag notification"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const untagBuildBypass = Method.make("untagBuildBypass", {
  params: {
    tag: TagInfo,
    build: BuildInfo,
    strict: flag(true),
    force: flag(false),
    notify: flag(false)
  },
  access: { perm: "tag" },
  doc: "Untag synchronously without notification unless notify=True"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const massTag = Method.make("massTag", {
  params: {
    tag: TagInfo,
    builds: Schema.Array(BuildInfo)
  },
  access: { perm: "tag" },
  doc: "Tag a list of builds with no access or policy checks; each build gets its own event to keep order"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const tagBuild = Method.make("tagBuild", {
  params: {
    tag: TagInfo,
    build: BuildInfo,
    force: flag(false),
    fromtag: Method.optional(Schema.NullOr(TagInfo), null)
  },
  success: TaskId,
  access: "login",
  doc: "Request that a build be tagged (a tagBuild task at priority 10, checked first); returns the task id"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const hostTagBuild = Method.make("host.tagBuild", {
  params: {
    task_id: Schema.Int,
    tag: TagInfo,
    build: BuildInfo,
    force: flag(false),
    fromtag: Method.optional(Schema.NullOr(TagInfo), null)
  },
  access: "host",
  doc: "Tag (or move) a build as the task's owner, after the tag policy and package-list checks (the tagBuild task)"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const moveBuild = Method.make("moveBuild", {
  params: {
    tag1: TagInfo,
    tag2: TagInfo,
    build: BuildInfo,
    force: flag(false)
  },
  success: TaskId,
  access: "login",
  doc: "[alias] tagBuild(tag2, build, force, fromtag=tag1); returns task id"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const moveAllBuilds = Method.make("moveAllBuilds", {
  params: {
    tag1: TagInfo,
    tag2: TagInfo,
    package: Schema.String,
    force: flag(false)
  },
  success: Schema.Array(TaskId),
  access: "login",
  doc: "Move every build of a package from tag1 to tag2 oldest-first as a chain of dependantTask(tagBuild) tasks; "
    + "returns task id list"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const listTagged = Method.make("listTagged", {
  params: {
    tag: TagInfo,
    event,
    inherit: flag(false),
    prefix: text,
    latest: Method.optional(Latest, false),
    package: text,
    owner: text,
    type: text,
    strict: flag(true),
    extra: flag(false),
    draft: Method.optional(Schema.NullOr(Schema.Boolean), null)
  },
  success: Schema.Array(TaggedBuild),
  readOnly: true,
  access: "anon",
  doc: "Builds in tag (readTaggedBuilds): inherit, latest (True or N per package, by most-recent tagging), "
    + "package, owner, type, prefix, event, draft"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getLatestBuilds = Method.make("getLatestBuilds", {
  params: {
    tag: TagInfo,
    event,
    package: text,
    type: text,
    draft: Method.optional(Schema.NullOr(Schema.Boolean), null)
  },
  success: Schema.Array(TaggedBuild),
  readOnly: true,
  access: "anon",
  doc: "listTagged with inherit=True, latest=True"
})

/**
 * `[rpms, builds]` of `listTaggedRPMS` and `getLatestRPMS`.
 *
 * @since 0.1.0
 * @category models
 */
export const TaggedRpms = Schema.Tuple(Schema.Array(TaggedRpm), Schema.Array(TaggedBuild))

/**
 * @since 0.1.0
 * @category methods
 */
export const listTaggedRPMS = Method.make("listTaggedRPMS", {
  params: {
    tag: TagInfo,
    event,
    inherit: flag(false),
    latest: Method.optional(Latest, false),
    package: text,
    arch,
    rpmsigs: flag(false),
    owner: text,
    type: text,
    strict: flag(true),
    extra: flag(true),
    draft: Method.optional(Schema.NullOr(Schema.Boolean), null)
  },
  success: Schema.Union(TaggedRpms, Schema.Tuple()),
  readOnly: true,
  access: "anon",
  doc: "[rpms, builds] in tag with same semantics as listTagged plus arch filter and rpmsigs"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const getLatestRPMS = Method.make("getLatestRPMS", {
  params: {
    tag: TagInfo,
    package: text,
    arch,
    event,
    rpmsigs: flag(false),
    type: text,
    draft: Method.optional(Schema.NullOr(Schema.Boolean), null)
  },
  success: TaggedRpms,
  readOnly: true,
  access: "anon",
  doc: "listTaggedRPMS with inherit=True, latest=True"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const tagLastChangeEvent = Method.make("tagLastChangeEvent", {
  params: {
    tag: TagInfo,
    before: Method.optional(Schema.NullOr(Schema.Int), null),
    inherit: flag(true)
  },
  success: Schema.NullOr(EventId),
  readOnly: true,
  access: "anon",
  doc: "Most recent event affecting tag (inheritance, external repo data included); before=limit"
})

/**
 * @since 0.1.0
 * @category methods
 */
export const tagChangedSinceEvent = Method.make("tagChangedSinceEvent", {
  params: {
    event: Schema.Int,
    taglist: Schema.Array(Schema.Int)
  },
  success: Schema.Boolean,
  readOnly: true,
  access: "anon",
  doc: "True if any versioned tag table or tag_updates changed for the listed tags after event"
})

/**
 * @since 0.1.0
 * @category groups
 */
export class TaggingApi extends RpcGroup.make(
  tagBuild,
  hostTagBuild,
  tagBuildBypass,
  untagBuild,
  untagBuildBypass,
  massTag,
  moveBuild,
  moveAllBuilds,
  listTagged,
  getLatestBuilds,
  listTaggedRPMS,
  getLatestRPMS,
  tagLastChangeEvent,
  tagChangedSinceEvent
) {}
