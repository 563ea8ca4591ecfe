/**
 * @since 0.1.0
 */
export * as Database from "./Database.js"
/**
 * @since 0.1.0
 */
export * as Migrator from "./Migrator.js"
/**
 * @since 0.1.0
 */
export * as Notifications from "./Notifications.js"
/**
 * @since 0.1.0
 */
export * as PgliteClient from "./PgliteClient.js"
/**
 * @since 0.1.0
 */
export * as SqlState from "./SqlState.js"
