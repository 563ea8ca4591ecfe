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
