/**
 * @since 0.1.0
 */
export * as Ids from "./Ids.js"

/**
 * @since 0.1.0
 */
export * as Enum from "./Enum.js"

/**
 * @since 0.1.0
 */
export * as Enums from "./Enums.js"

/**
 * @since 0.1.0
 */
export * as Constants from "./Constants.js"

/**
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * @since 0.1.0
 */
export * as Timestamp from "./Timestamp.js"

/**
 * @since 0.1.0
 */
export * as Extra from "./Extra.js"

/**
 * @since 0.1.0
 */
export * as User from "./User.js"

/**
 * @since 0.1.0
 */
export * as Permission from "./Permission.js"

/**
 * @since 0.1.0
 */
export * as Host from "./Host.js"

/**
 * @since 0.1.0
 */
export * as Channel from "./Channel.js"

/**
 * @since 0.1.0
 */
export * as Task from "./Task.js"

/**
 * @since 0.1.0
 */
export * as Build from "./Build.js"

/**
 * @since 0.1.0
 */
export * as Rpm from "./Rpm.js"

/**
 * @since 0.1.0
 */
export * as Tag from "./Tag.js"

/**
 * @since 0.1.0
 */
export * as Target from "./Target.js"

/**
 * @since 0.1.0
 */
export * as Repo from "./Repo.js"

/**
 * @since 0.1.0
 */
export * as Buildroot from "./Buildroot.js"

/**
 * @since 0.1.0
 */
export * as Event from "./Event.js"
