/**
 * @since 0.1.0
 */
export * as Backend from "./Backend.js"
/**
 * @since 0.1.0
 */
export * as Mock from "./Mock.js"
/**
 * @since 0.1.0
 */
export * as MockConfig from "./MockConfig.js"
/**
 * @since 0.1.0
 */
export * as Process from "./Process.js"
/**
 * @since 0.1.0
 */
export * as Rpmbuild from "./Rpmbuild.js"
