/**
 * @since 0.1.0
 */
export * as Header from "./Header.js"
