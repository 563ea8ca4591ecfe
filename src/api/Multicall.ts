/**
 * `multiCall`: many calls in one request and one transaction, each in its own
 * savepoint; a failed call is rolled back alone and reported in its slot.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import * as Method from "./Method.js"

/**
 * One call of a batch: the method's Koji name and its parameters as a struct
 * (the encoded payload of the method).
 *
 * @since 0.1.0
 * @category models
 */
export const Call = Schema.Struct({
  methodName: Schema.String,
  params: Schema.optionalWith(Schema.Unknown, { default: () => ({}) })
})

/**
 * A failed call's slot: Koji's fault struct.
 *
 * @since 0.1.0
 * @category models
 */
export const FaultSlot = Schema.Struct({ faultCode: Schema.Int, faultString: Schema.String })

/**
 * One slot of the answer, as Koji's: `[value]` on success, a fault struct on failure.
 *
 * @since 0.1.0
 * @category models
 */
export const Slot = Schema.Union(Schema.Tuple(Schema.Unknown), FaultSlot)

/**
 * @since 0.1.0
 * @category methods
 */
export const multiCall = Method.make("multiCall", {
  params: { calls: Schema.Array(Call) },
  success: Schema.Array(Slot),
  access: "anon",
  hidden: true,
  doc: "Run many calls in one transaction; each answer is [value] or a fault struct"
})
