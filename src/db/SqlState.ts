/**
 * SQLSTATE codes of failed statements, the same on PostgreSQL and PGlite.
 *
 * @since 0.1.0
 */
import type { SqlError } from "@effect/sql"

/** @internal */
export const sqlStateOfCause = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && typeof (cause as { code?: unknown }).code === "string"
    ? (cause as { code: string }).code
    : undefined

/**
 * The SQLSTATE of a failed statement (`23505` for a unique violation, ...).
 *
 * @since 0.1.0
 * @category errors
 */
export const of = (error: SqlError.SqlError): string | undefined => sqlStateOfCause(error.cause)

/**
 * Codes the hub turns into Koji faults.
 *
 * @since 0.1.0
 * @category constants
 */
export const codes = {
  uniqueViolation: "23505",
  foreignKeyViolation: "23503",
  notNullViolation: "23502",
  checkViolation: "23514",
  serializationFailure: "40001",
  deadlockDetected: "40P01",
  lockNotAvailable: "55P03"
} as const
