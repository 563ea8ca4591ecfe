/**
 * Koji's enumerations with Koji's numbers (koji/__init__.py; reference section 3). Each is an
 * `Enum.Enum`: `TaskState.OPEN === 1`, `TaskState.name(1) === "OPEN"`,
 * `TaskState.value("OPEN") === 1`, and `TaskState.schema` decodes the numbers.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import * as Enum from "./Enum.js"

/**
 * `TASK_STATES`: the task state machine (reference 5.4).
 *
 * @since 0.1.0
 * @category enums
 */
export const TaskState = Enum.make("TaskState", {
  FREE: 0,
  OPEN: 1,
  CLOSED: 2,
  CANCELED: 3,
  ASSIGNED: 4,
  FAILED: 5
})
/**
 * @since 0.1.0
 * @category enums
 */
export type TaskState = Enum.Value<typeof TaskState>

/**
 * `BUILD_STATES`.
 *
 * @since 0.1.0
 * @category enums
 */
export const BuildState = Enum.make("BuildState", {
  BUILDING: 0,
  COMPLETE: 1,
  DELETED: 2,
  FAILED: 3,
  CANCELED: 4
})
/**
 * @since 0.1.0
 * @category enums
 */
export type BuildState = Enum.Value<typeof BuildState>

/**
 * `REPO_STATES`.
 *
 * @since 0.1.0
 * @category enums
 */
export const RepoState = Enum.make("RepoState", {
  INIT: 0,
  READY: 1,
  EXPIRED: 2,
  DELETED: 3,
  PROBLEM: 4
})
/**
 * @since 0.1.0
 * @category enums
 */
export type RepoState = Enum.Value<typeof RepoState>

/**
 * `BR_STATES`: buildroot states (`WAITING` is defined but unused by kojid).
 *
 * @since 0.1.0
 * @category enums
 */
export const BrState = Enum.make("BrState", {
  INIT: 0,
  WAITING: 1,
  BUILDING: 2,
  EXPIRED: 3
})
/**
 * @since 0.1.0
 * @category enums
 */
export type BrState = Enum.Value<typeof BrState>

/**
 * `BR_TYPES`: a buildroot made by Koji's builder, or reported by a content generator.
 *
 * @since 0.1.0
 * @category enums
 */
export const BrType = Enum.make("BrType", {
  STANDARD: 0,
  EXTERNAL: 1
})
/**
 * @since 0.1.0
 * @category enums
 */
export type BrType = Enum.Value<typeof BrType>

/**
 * `USERTYPES`: a person, a builder host's user, or a group.
 *
 * @since 0.1.0
 * @category enums
 */
export const UserType = Enum.make("UserType", {
  NORMAL: 0,
  HOST: 1,
  GROUP: 2
})
/**
 * @since 0.1.0
 * @category enums
 */
export type UserType = Enum.Value<typeof UserType>

/**
 * `USER_STATUS`.
 *
 * @since 0.1.0
 * @category enums
 */
export const UserStatus = Enum.make("UserStatus", {
  NORMAL: 0,
  BLOCKED: 1
})
/**
 * @since 0.1.0
 * @category enums
 */
export type UserStatus = Enum.Value<typeof UserStatus>

/**
 * `AUTHTYPES`: how a session was authenticated (`NORMAL` = password, `KERBEROS` is legacy).
 *
 * @since 0.1.0
 * @category enums
 */
export const AuthType = Enum.make("AuthType", {
  NORMAL: 0,
  KERBEROS: 1,
  SSL: 2,
  GSSAPI: 3
})
/**
 * @since 0.1.0
 * @category enums
 */
export type AuthType = Enum.Value<typeof AuthType>

/**
 * `CHECKSUM_TYPES` (lower-case names, as in Koji).
 *
 * @since 0.1.0
 * @category enums
 */
export const ChecksumType = Enum.make("ChecksumType", {
  md5: 0,
  sha1: 1,
  sha256: 2
})
/**
 * @since 0.1.0
 * @category enums
 */
export type ChecksumType = Enum.Value<typeof ChecksumType>

/**
 * `TAG_UPDATE_TYPES`: kinds of non-versioned tag changes recorded in `tag_updates`.
 *
 * @since 0.1.0
 * @category enums
 */
export const TagUpdateType = Enum.make("TagUpdateType", {
  VOLUME_CHANGE: 0,
  IMPORT: 1,
  MANUAL: 2,
  DRAFT_PROMOTION: 3
})
/**
 * @since 0.1.0
 * @category enums
 */
export type TagUpdateType = Enum.Value<typeof TagUpdateType>

/**
 * `DEP_*`: RPM dependency kinds (`DepType.REQUIRE` is Koji's `DEP_REQUIRE`).
 *
 * @since 0.1.0
 * @category enums
 */
export const DepType = Enum.make("DepType", {
  REQUIRE: 0,
  PROVIDE: 1,
  OBSOLETE: 2,
  CONFLICT: 3,
  SUGGEST: 4,
  ENHANCE: 5,
  SUPPLEMENT: 6,
  RECOMMEND: 7
})
/**
 * @since 0.1.0
 * @category enums
 */
export type DepType = Enum.Value<typeof DepType>

/**
 * `RPMSENSE_*`: the comparison bits of an RPM dependency's flags (`RpmSense.LESS` is Koji's
 * `RPMSENSE_LESS`). These are single bits: real `flags` values combine them with each other and
 * with other rpm bits, so test them with `hasSense` rather than decoding `flags` with
 * `RpmSense.schema`.
 *
 * @since 0.1.0
 * @category enums
 */
export const RpmSense = Enum.make("RpmSense", {
  LESS: 2,
  GREATER: 4,
  EQUAL: 8
})
/**
 * @since 0.1.0
 * @category enums
 */
export type RpmSense = Enum.Value<typeof RpmSense>

/**
 * Whether an RPM dependency's `flags` has the given `RPMSENSE_*` bit.
 *
 * @since 0.1.0
 * @category predicates
 */
export const hasSense = (flags: number, sense: RpmSense): boolean => (flags & sense) !== 0

/**
 * `REPO_MERGE_MODES`: how an external repo is merged into a tag's repo. Koji keeps these as a set
 * of strings, not as numbers.
 *
 * @since 0.1.0
 * @category enums
 */
export const RepoMergeMode = Schema.Literal("koji", "simple", "bare").annotations({
  identifier: "RepoMergeMode"
})
/**
 * @since 0.1.0
 * @category enums
 */
export type RepoMergeMode = typeof RepoMergeMode.Type

/**
 * Every merge mode, as Koji's `REPO_MERGE_MODES`.
 *
 * @since 0.1.0
 * @category enums
 */
export const REPO_MERGE_MODES: ReadonlyArray<RepoMergeMode> = RepoMergeMode.literals

/**
 * The merge mode used when none is given.
 *
 * @since 0.1.0
 * @category enums
 */
export const DEFAULT_REPO_MERGE_MODE: RepoMergeMode = "koji"
