/**
 * Handlers of the policy area (the logic lives in the `Policy` service, which the
 * hub provides to every area).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { PolicyApi } from "../api/Policy.js"
import * as Handlers from "./Handlers.js"
import { Policy } from "./Policy.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(PolicyApi, Effect.gen(function*() {
  const policy = yield* Policy
  return {
    "policy.test": ({ data, default: fallback, name }) =>
      Effect.map(policy.check(name, data, fallback === null ? {} : { default: fallback }), (verdict) => ({
        result: verdict.result,
        reason: verdict.reason,
        action: verdict.action ?? null,
        rule: verdict.rule,
        line: verdict.line ?? null,
        exists: verdict.exists
      }))
  }
}))
