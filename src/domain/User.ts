/**
 * Users, builder host users and groups (`users` table; reference 13).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { AuthType, UserStatus, UserType } from "./Enums.js"
import { UserId } from "./Ids.js"

/**
 * A user as `getUser` returns it (with its Kerberos principals, the default).
 *
 * @since 0.1.0
 * @category models
 */
export class User extends Schema.Class<User>("User")({
  id: UserId,
  name: Schema.String,
  status: UserStatus.schema,
  usertype: UserType.schema,
  krb_principals: Schema.Array(Schema.String)
}) {}

/**
 * The caller as `getLoggedInUser` returns it: the user plus how the session authenticated and the
 * first Kerberos principal.
 *
 * @since 0.1.0
 * @category models
 */
export class LoggedInUser extends User.extend<LoggedInUser>("LoggedInUser")({
  authtype: AuthType.schema,
  krb_principal: Schema.NullOr(Schema.String)
}) {}
