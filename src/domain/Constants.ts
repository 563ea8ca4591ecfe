/**
 * Koji's fixed parameters (koji/__init__.py; reference section 3).
 *
 * @since 0.1.0
 */

/**
 * The API version `getAPIVersion()` answers; the Koji CLI warns when it differs.
 *
 * @since 0.1.0
 * @category constants
 */
export const API_VERSION = 1

/**
 * The Koji version whose behaviour koji-ts reproduces; `getKojiVersion()` answers it.
 *
 * @since 0.1.0
 * @category constants
 */
export const KOJI_VERSION = "1.35.3"

/**
 * The default task priority (lower number = more urgent). User calls take a priority relative
 * to it.
 *
 * @since 0.1.0
 * @category constants
 */
export const PRIO_DEFAULT = 20

/**
 * Koji's default topdir.
 *
 * @since 0.1.0
 * @category constants
 */
export const BASEDIR = "/mnt/koji"

/**
 * The client's default request timeout, in seconds (12 hours).
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_REQUEST_TIMEOUT = 60 * 60 * 12

/**
 * The client's default timeout for authentication calls, in seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_AUTH_TIMEOUT = 60

/**
 * The separator between a draft build's release and its `draft_<build_id>` suffix.
 *
 * @since 0.1.0
 * @category constants
 */
export const DRAFT_RELEASE_DELIMITER = ","

/**
 * A draft build's release: `"<release>,draft_<build_id>"` (Koji's `DRAFT_RELEASE_FORMAT`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const draftRelease = (release: string, buildId: number): string =>
  `${release}${DRAFT_RELEASE_DELIMITER}draft_${buildId}`
