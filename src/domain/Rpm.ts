/**
 * RPMs (`rpminfo` table; reference 9). External RPMs (from an external repo) have no build and
 * no draft flag; Koji's own have `external_repo_id` 0 (`INTERNAL`).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Extra } from "./Extra.js"
import { BuildId, BuildrootId, ExternalRepoId, RpmId } from "./Ids.js"

/**
 * An RPM as `getRPM` and `listRPMs` return it. `payloadhash` is the header's sigmd5 (hex), `size`
 * the file size in bytes, `buildtime` seconds since the epoch.
 *
 * @since 0.1.0
 * @category models
 */
export class Rpm extends Schema.Class<Rpm>("Rpm")({
  id: RpmId,
  name: Schema.String,
  version: Schema.String,
  release: Schema.String,
  arch: Schema.String,
  epoch: Schema.NullOr(Schema.Int),
  draft: Schema.NullOr(Schema.Boolean),
  payloadhash: Schema.String,
  size: Schema.Int.pipe(Schema.nonNegative()),
  buildtime: Schema.Int,
  build_id: Schema.NullOr(BuildId),
  buildroot_id: Schema.NullOr(BuildrootId),
  external_repo_id: ExternalRepoId,
  external_repo_name: Schema.String,
  metadata_only: Schema.Boolean,
  extra: Schema.NullOr(Extra)
}) {}

/**
 * An RPM as `listRPMs` returns it: `getRPM`'s fields plus `nvr`, and with a `componentBuildrootID`
 * filter the buildroot it was installed in and whether it was an update there.
 *
 * @since 0.1.0
 * @category models
 */
export class RpmListEntry extends Schema.Class<RpmListEntry>("RpmListEntry")({
  ...Rpm.fields,
  nvr: Schema.String,
  component_buildroot_id: Schema.optional(BuildrootId),
  is_update: Schema.optional(Schema.Boolean)
}) {}

/**
 * An RPM as `listTaggedRPMS` and `getLatestRPMS` return it (no external repo fields); `extra` unless
 * `extra=False`, `sigkey` with `rpmsigs=True` (one row per signature, `null` when unsigned).
 *
 * @since 0.1.0
 * @category models
 */
export class TaggedRpm extends Schema.Class<TaggedRpm>("TaggedRpm")({
  id: RpmId,
  name: Schema.String,
  version: Schema.String,
  release: Schema.String,
  arch: Schema.String,
  epoch: Schema.NullOr(Schema.Int),
  draft: Schema.NullOr(Schema.Boolean),
  payloadhash: Schema.String,
  size: Schema.Int.pipe(Schema.nonNegative()),
  buildtime: Schema.Int,
  build_id: BuildId,
  buildroot_id: Schema.NullOr(BuildrootId),
  metadata_only: Schema.Boolean,
  extra: Schema.optional(Schema.NullOr(Extra)),
  sigkey: Schema.optional(Schema.NullOr(Schema.String))
}) {}
