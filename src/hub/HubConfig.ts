/**
 * The hub's settings, Koji's `[hub]` keys under koji-ts names, with Koji's defaults.
 *
 * @since 0.1.0
 */
import { Config, type ConfigError, Context, Layer } from "effect"

/**
 * @since 0.1.0
 * @category models
 */
export interface HubConfigShape {
  /** Minutes a session lives before the client must renew it (Koji's `SessionRenewalTimeout`; 0 = never). */
  readonly sessionRenewalTimeout: number
  /** Bind sessions to the client's address (Koji's `CheckClientIP`). */
  readonly checkClientIp: boolean
  /** Create unknown users at their first certificate or proxy login (Koji's `LoginCreatesUser`). */
  readonly loginCreatesUser: boolean
  /** The certificate subject component that names the user (Koji's `DNUsernameComponent`). */
  readonly dnUsernameComponent: string
  /** Subjects (DNs) of clients allowed to log in other users with `proxyuser` (Koji's `ProxyDNs`). */
  readonly proxyDns: ReadonlyArray<string>
  /** Allow `proxyauthtype` to differ from the proxy's own (Koji's `AllowProxyAuthType`). */
  readonly allowProxyAuthType: boolean
  /**
   * A request header that carries an authenticated user name from a trusted front proxy
   * (like Apache's `REMOTE_USER`), honoured only from `trustedProxyAddresses`.
   */
  readonly proxyUserHeader: string | undefined
  /** Client addresses whose `proxyUserHeader` is believed. */
  readonly trustedProxyAddresses: ReadonlyArray<string>
  /** Minutes after which a session that has not been used is removed by the sweep. */
  readonly sessionIdleTimeout: number
  /** Koji's `LockOut`: only admins may call anything but login/logout. */
  readonly lockOut: boolean
  /** Koji's `ServerOffline`, with its message. */
  readonly serverOffline: boolean
  readonly offlineMessage: string | undefined
  /** Koji's `MaxRequestLength` (bytes). */
  readonly maxRequestLength: number
}

/**
 * @since 0.1.0
 * @category tags
 */
export class HubConfig extends Context.Tag("koji/hub/HubConfig")<HubConfig, HubConfigShape>() {}

/**
 * Koji's defaults.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: HubConfigShape = {
  sessionRenewalTimeout: 1440,
  checkClientIp: true,
  loginCreatesUser: true,
  dnUsernameComponent: "CN",
  proxyDns: [],
  allowProxyAuthType: false,
  proxyUserHeader: undefined,
  trustedProxyAddresses: [],
  sessionIdleTimeout: 1440 * 7,
  lockOut: false,
  serverOffline: false,
  offlineMessage: undefined,
  maxRequestLength: 4194304
}

const list = (name: string) =>
  Config.string(name).pipe(
    Config.map((s) => s.split("|").map((x) => x.trim()).filter((x) => x.length > 0)),
    Config.withDefault([] as ReadonlyArray<string>)
  )

/**
 * The settings from the environment (`KOJI_SESSION_RENEWAL_TIMEOUT`, `KOJI_CHECK_CLIENT_IP`, ...).
 *
 * @since 0.1.0
 * @category Config
 */
export const config: Config.Config<HubConfigShape> = Config.all({
  sessionRenewalTimeout: Config.integer("KOJI_SESSION_RENEWAL_TIMEOUT").pipe(
    Config.withDefault(defaults.sessionRenewalTimeout)
  ),
  checkClientIp: Config.boolean("KOJI_CHECK_CLIENT_IP").pipe(Config.withDefault(defaults.checkClientIp)),
  loginCreatesUser: Config.boolean("KOJI_LOGIN_CREATES_USER").pipe(Config.withDefault(defaults.loginCreatesUser)),
  dnUsernameComponent: Config.string("KOJI_DN_USERNAME_COMPONENT").pipe(
    Config.withDefault(defaults.dnUsernameComponent)
  ),
  proxyDns: list("KOJI_PROXY_DNS"),
  allowProxyAuthType: Config.boolean("KOJI_ALLOW_PROXY_AUTH_TYPE").pipe(
    Config.withDefault(defaults.allowProxyAuthType)
  ),
  proxyUserHeader: Config.string("KOJI_PROXY_USER_HEADER").pipe(
    Config.map((s): string | undefined => s.toLowerCase()),
    Config.withDefault(undefined)
  ),
  trustedProxyAddresses: list("KOJI_TRUSTED_PROXIES"),
  sessionIdleTimeout: Config.integer("KOJI_SESSION_IDLE_TIMEOUT").pipe(Config.withDefault(defaults.sessionIdleTimeout)),
  lockOut: Config.boolean("KOJI_LOCKOUT").pipe(Config.withDefault(defaults.lockOut)),
  serverOffline: Config.boolean("KOJI_SERVER_OFFLINE").pipe(Config.withDefault(defaults.serverOffline)),
  offlineMessage: Config.string("KOJI_OFFLINE_MESSAGE").pipe(
    Config.map((s): string | undefined => s),
    Config.withDefault(undefined)
  ),
  maxRequestLength: Config.integer("KOJI_MAX_REQUEST_LENGTH").pipe(Config.withDefault(defaults.maxRequestLength))
})

/**
 * Fixed settings (tests, embedding); unspecified keys take Koji's defaults.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (settings: Partial<HubConfigShape> = {}): Layer.Layer<HubConfig> =>
  Layer.succeed(HubConfig, { ...defaults, ...settings })

/**
 * Settings from the environment.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<HubConfig, ConfigError.ConfigError> = Layer.effect(
  HubConfig,
  config
)
