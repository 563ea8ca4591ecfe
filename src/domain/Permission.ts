/**
 * Permissions (`permissions` table; reference 13).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { PermissionId } from "./Ids.js"

/**
 * A permission as `getAllPerms` lists it.
 *
 * @since 0.1.0
 * @category models
 */
export class Permission extends Schema.Class<Permission>("Permission")({
  id: PermissionId,
  name: Schema.String,
  description: Schema.NullOr(Schema.String)
}) {}
