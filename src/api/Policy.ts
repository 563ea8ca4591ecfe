/**
 * The policy area of the hub API: `policy.test`, a dry run of a hub policy (Koji
 * has none): evaluate policy NAME on the given data and answer the verdict and the
 * rule that decided it, without doing anything.
 *
 * @since 0.1.0
 */
import { RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import * as Method from "./Method.js"

/**
 * What `policy.test` answers: the verdict word (`allow`, `deny`, `use`, `set`, ...,
 * or the default when no rule matched), the reason, the action as written, the
 * matching rule as Koji's `last_rule()` prints it and its line in the policy text,
 * and whether the policy exists at all.
 *
 * @since 0.1.0
 * @category models
 */
export const PolicyVerdict = Schema.Struct({
  result: Schema.String,
  reason: Schema.String,
  action: Schema.NullOr(Schema.String),
  rule: Schema.String,
  line: Schema.NullOr(Schema.Int),
  exists: Schema.Boolean
})

/**
 * @since 0.1.0
 * @category models
 */
export type PolicyVerdict = typeof PolicyVerdict.Type

/**
 * @since 0.1.0
 * @category methods
 */
export const policyTest = Method.make("policy.test", {
  params: {
    name: Schema.String,
    data: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
    default: Method.optional(Schema.NullOr(Schema.String), null)
  },
  success: PolicyVerdict,
  readOnly: true,
  access: { perm: "admin" },
  doc: "Evaluate hub policy NAME on DATA (Koji's policy keys: tag, build, package, user_id, operation, ...) " +
    "without acting: the verdict, the reason and the matching rule with its line. " +
    "DEFAULT is the verdict when no rule matches (Koji's deny)."
})

/**
 * @since 0.1.0
 * @category groups
 */
export class PolicyApi extends RpcGroup.make(policyTest) {}
