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
  /** Koji's `EnableMaven`: tags may have Maven support (`maven_support`, `maven_include_all`). */
  readonly enableMaven?: boolean | undefined
  /** Hub policies (Koji's `[policy]` section): name to rule text; Koji's defaults fill the names not given. */
  readonly policy: Readonly<Record<string, string>>
  /** A hub.conf-style file whose `[policy]` section is read too (`KOJI_POLICY_FILE`); `policy` entries win. */
  readonly policyFile: string | undefined
  /** Koji's `MissingPolicyOk`: a policy that does not exist allows. */
  readonly missingPolicyOk: boolean
  /** Koji's `VerbosePolicy`: policy violations name the rule that denied. */
  readonly verbosePolicy: boolean
  /** The scheduler's settings (Koji's names and defaults, plus fair share). */
  readonly scheduler: SchedulerSettings
  /** Most FREE top-level tasks one owner may have queued (0: no limit); more are refused. */
  readonly maxQueuedTasksPerOwner: number
  /** The largest file an upload may make, in bytes (`KOJI_MAX_UPLOAD_SIZE`; default 10 GiB). */
  readonly maxUploadSize?: number | undefined
}

/**
 * The scheduler's settings: Koji's options (seconds) and koji-ts's fair share.
 *
 * @since 0.1.0
 * @category models
 */
export interface SchedulerSettings {
  /** Koji's `MaxJobs`: tasks a host runs at once unless it reports its own `maxjobs`. */
  readonly maxJobs: number
  /** Koji's `CapacityOvercommit`. */
  readonly capacityOvercommit: number
  /** Koji's `ReadyTimeout`: a host silent this long is no longer ready. */
  readonly readyTimeout: number
  /** Koji's `AssignTimeout`: an ASSIGNED task not opened this long is freed. */
  readonly assignTimeout: number
  /** Koji's `SoftRefusalTimeout`. */
  readonly softRefusalTimeout: number
  /** Koji's `HostTimeout`: OPEN tasks of a host silent this long are freed. */
  readonly hostTimeout: number
  /** Koji's `RunInterval`: the safety-net pass (koji-ts runs a pass whenever work appears). */
  readonly runInterval: number
  /** Order within one priority: `round-robin` by owner, `weighted` by `ownerWeights`, or Koji's `fifo`. */
  readonly fairShare: "round-robin" | "weighted" | "fifo"
  /** Shares per owner name for `weighted` (default 1). */
  readonly ownerWeights: Readonly<Record<string, number>>
  /** Seconds of waiting that raise a FREE task's priority by one step (0: no aging). */
  readonly priorityAging: number
  /** FREE tasks looked at per pass (Koji: 1000); the pass repeats while it assigns. */
  readonly batchSize: number
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
  maxRequestLength: 4194304,
  enableMaven: false,
  policy: {},
  policyFile: undefined,
  missingPolicyOk: true,
  verbosePolicy: false,
  scheduler: {
    maxJobs: 15,
    capacityOvercommit: 5,
    readyTimeout: 180,
    assignTimeout: 300,
    softRefusalTimeout: 900,
    hostTimeout: 900,
    runInterval: 60,
    fairShare: "round-robin",
    ownerWeights: {},
    priorityAging: 600,
    batchSize: 1000
  },
  maxQueuedTasksPerOwner: 10000,
  maxUploadSize: 10 * 1024 ** 3
}

/**
 * The largest file an upload may make: `maxUploadSize`, 10 GiB unless set. It is also the most
 * one raw upload request may carry (Koji's hub sets no other limit on it).
 *
 * @since 0.1.0
 * @category combinators
 */
export const maxUploadSize = (config: HubConfigShape): number => config.maxUploadSize ?? defaults.maxUploadSize!

const list = (name: string) =>
  Config.string(name).pipe(
    Config.map((s) => s.split("|").map((x) => x.trim()).filter((x) => x.length > 0)),
    Config.withDefault([] as ReadonlyArray<string>)
  )

/** Policy names read from `KOJI_POLICY_<NAME>` besides any such variable set in the process. */
const knownPolicies = [
  "tag", "build_rpm", "build_from_srpm", "build_from_repo_id", "build_from_scm", "package_list", "channel",
  "vm", "cg_import", "volume", "priority", "draft_promotion", "dist_repo", "sidetag", "scm"
]

// KOJI_POLICY_<NAME> (a literal "\n" in the value stands for a line break, for env files)
const policies: Config.Config<Readonly<Record<string, string>>> = Config.suspend(() => {
  const names = new Set(knownPolicies)
  for (const key of Object.keys(process.env)) {
    if (key.startsWith("KOJI_POLICY_") && key !== "KOJI_POLICY_FILE") names.add(key.slice(12).toLowerCase())
  }
  return Config.all([...names].map((n) =>
    Config.option(Config.string(`KOJI_POLICY_${n.toUpperCase()}`)).pipe(Config.map((v) => [n, v] as const))
  )).pipe(Config.map((entries) => {
    const out: Record<string, string> = {}
    for (const [n, v] of entries) if (v._tag === "Some") out[n] = v.value.replace(/\\n/g, "\n")
    return out
  }))
})

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
  maxRequestLength: Config.integer("KOJI_MAX_REQUEST_LENGTH").pipe(Config.withDefault(defaults.maxRequestLength)),
  enableMaven: Config.boolean("KOJI_ENABLE_MAVEN").pipe(Config.withDefault(false)),
  policy: policies,
  policyFile: Config.string("KOJI_POLICY_FILE").pipe(
    Config.map((s): string | undefined => s),
    Config.withDefault(undefined)
  ),
  missingPolicyOk: Config.boolean("KOJI_MISSING_POLICY_OK").pipe(Config.withDefault(defaults.missingPolicyOk)),
  verbosePolicy: Config.boolean("KOJI_VERBOSE_POLICY").pipe(Config.withDefault(defaults.verbosePolicy)),
  scheduler: Config.all({
    maxJobs: Config.integer("KOJI_MAX_JOBS").pipe(Config.withDefault(defaults.scheduler.maxJobs)),
    capacityOvercommit: Config.number("KOJI_CAPACITY_OVERCOMMIT").pipe(
      Config.withDefault(defaults.scheduler.capacityOvercommit)
    ),
    readyTimeout: Config.number("KOJI_READY_TIMEOUT").pipe(Config.withDefault(defaults.scheduler.readyTimeout)),
    assignTimeout: Config.number("KOJI_ASSIGN_TIMEOUT").pipe(Config.withDefault(defaults.scheduler.assignTimeout)),
    softRefusalTimeout: Config.number("KOJI_SOFT_REFUSAL_TIMEOUT").pipe(
      Config.withDefault(defaults.scheduler.softRefusalTimeout)
    ),
    hostTimeout: Config.number("KOJI_HOST_TIMEOUT").pipe(Config.withDefault(defaults.scheduler.hostTimeout)),
    runInterval: Config.number("KOJI_RUN_INTERVAL").pipe(Config.withDefault(defaults.scheduler.runInterval)),
    fairShare: Config.literal("round-robin", "weighted", "fifo")("KOJI_FAIR_SHARE").pipe(
      Config.withDefault(defaults.scheduler.fairShare)
    ),
    ownerWeights: Config.string("KOJI_OWNER_WEIGHTS").pipe(
      // "alice=3|bot=0.5"
      Config.map((s): Readonly<Record<string, number>> =>
        Object.fromEntries(s.split("|").map((kv) => kv.split("=")).filter((kv) => kv.length === 2).map(([k, v]) =>
          [k!.trim(), Number(v)]
        ))
      ),
      Config.withDefault(defaults.scheduler.ownerWeights)
    ),
    priorityAging: Config.number("KOJI_PRIORITY_AGING").pipe(Config.withDefault(defaults.scheduler.priorityAging)),
    batchSize: Config.integer("KOJI_SCHEDULER_BATCH").pipe(Config.withDefault(defaults.scheduler.batchSize))
  }),
  maxQueuedTasksPerOwner: Config.integer("KOJI_MAX_QUEUED_TASKS_PER_OWNER").pipe(
    Config.withDefault(defaults.maxQueuedTasksPerOwner)
  ),
  maxUploadSize: Config.integer("KOJI_MAX_UPLOAD_SIZE").pipe(Config.withDefault(defaults.maxUploadSize))
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
