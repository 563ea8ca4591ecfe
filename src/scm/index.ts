/**
 * @since 0.1.0
 */
export * as ScmUrl from "./ScmUrl.js"
/**
 * @since 0.1.0
 */
export * as AllowList from "./AllowList.js"
/**
 * @since 0.1.0
 */
export * as Checkout from "./Checkout.js"
