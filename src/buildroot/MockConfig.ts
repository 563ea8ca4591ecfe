/**
 * Mock configs as Koji writes them (`koji.genMockConfig`, reference 10): the header comments,
 * `config_opts` (sorted), `yum.conf` with the single `[build]` repo at
 * `<topurl>/repos/<tag>/<repoid>/<arch>`, `plugin_conf`, the macros (site, tag `rpm.macro.*`,
 * then the forced `%_topdir`, `%_host_cpu`, `%_host`), the environment (`rpm.env.*`) and files.
 * Values are written as Python's `repr` writes them, so the file is byte for byte Koji's.
 *
 * `fromBuildConfig` derives the options from a tag's `getBuildConfig` the way the builder
 * (kojid's `BuildRoot._writeMockConfig`) or the CLI (`koji mock-config`) does.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import { Duration, Effect } from "effect"
import type { BuildConfig } from "../api/Tags.js"
import { GenericError } from "../domain/Errors.js"
import type { BuildrootOptions } from "./Backend.js"

/**
 * Koji's `genMockConfig(name, arch, managed, repoid, tag_name, **opts)` options, by Koji's names.
 *
 * @since 0.1.0
 * @category models
 */
export interface GenOptions {
  /** A header with the buildroot id, name, repo and tag (the builder's configs). */
  readonly managed?: boolean | undefined
  readonly repoid?: number | string | null | undefined
  readonly tag_name?: string | null | undefined
  readonly buildroot_id?: number | undefined
  /** mock's basedir (default `/var/lib/mock`). */
  readonly mockdir?: string | undefined
  /** A fixed repo URL instead of one made from topurl/topdir (deprecated in Koji). */
  readonly url?: string | undefined
  readonly topurls?: ReadonlyArray<string> | undefined
  readonly topurl?: string | undefined
  /** Used for a `file://` repo URL when no topurl is given (default `/mnt/koji`). */
  readonly topdir?: string | undefined
  readonly target_arch?: string | undefined
  /** The comps group to install (`build`, `srpm-build`). */
  readonly install_group?: string | undefined
  /** Networking in the chroot (rpmbuild_networking and use_host_resolv). */
  readonly use_host_resolv?: boolean | undefined
  readonly rpmbuild_timeout?: number | undefined
  readonly forcearch?: string | undefined
  readonly package_manager?: string | undefined
  readonly bootstrap_image?: string | false | null | undefined
  readonly use_bootstrap?: unknown
  readonly module_setup_commands?: unknown
  readonly releasever?: unknown
  readonly internal_dev_setup?: boolean | undefined
  readonly bind_opts?: Readonly<Record<string, Readonly<Record<string, string>>>> | null | undefined
  readonly maven_opts?: ReadonlyArray<string> | null | undefined
  readonly maven_envs?: Readonly<Record<string, string>> | null | undefined
  readonly yum_proxy?: string | undefined
  readonly module_hotfixes?: unknown
  readonly yum_best?: number | undefined
  readonly plugin_conf?: Readonly<Record<string, unknown>> | undefined
  readonly vendor?: string | undefined
  readonly packager?: string | undefined
  readonly distribution?: string | undefined
  /** `%NAME` to its value. */
  readonly tag_macros?: Readonly<Record<string, unknown>> | undefined
  readonly tag_envvars?: Readonly<Record<string, unknown>> | undefined
  readonly mockhost?: string | undefined
  /** The content of the host's `/etc/hosts`, copied in when `use_host_resolv` (default: read it). */
  readonly etc_hosts?: string | undefined
}

/**
 * Python's `repr` of a JSON-like value (`'text'`, `True`, `None`, `[...]`, `{...}`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const pyRepr = (value: unknown): string => {
  if (value === null || value === undefined) return "None"
  if (value === true) return "True"
  if (value === false) return "False"
  if (typeof value === "number") {
    if (Number.isInteger(value)) return String(value)
    if (Number.isNaN(value)) return "nan"
    if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf"
    return String(value)
  }
  if (typeof value === "string") return reprString(value)
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`
  if (typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`).join(", ")}}`
  }
  return reprString(String(value))
}

// Python's str.__repr__: single quotes unless the text has ' and no "
const reprString = (text: string): string => {
  const quote = text.includes("'") && !text.includes("\"") ? "\"" : "'"
  let out = quote
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if (ch === quote || ch === "\\") out += `\\${ch}`
    else if (ch === "\t") out += "\\t"
    else if (ch === "\n") out += "\\n"
    else if (ch === "\r") out += "\\r"
    else if (code < 0x20 || (code >= 0x7f && code <= 0xa0) || code === 0xad) {
      out += `\\x${code.toString(16).padStart(2, "0")}`
    } else if ((code >= 0xd800 && code <= 0xdfff) || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, "0")}`
    } else out += ch
  }
  return out + quote
}

const pyTruthy = (value: unknown): boolean =>
  !(value === undefined || value === null || value === false || value === 0 || value === "" ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === "object" && Object.keys(value).length === 0))

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

const readEtcHosts = (): string | undefined => {
  try {
    return Fs.readFileSync("/etc/hosts", "utf8")
  } catch {
    return undefined
  }
}

/**
 * Koji's `genMockConfig`: the text of a mock config. Fails with Koji's `GenericError`
 * ("please provide a repo and tag") when neither a URL nor a repo and tag are given.
 *
 * @since 0.1.0
 * @category constructors
 */
export const genMockConfig = (name: string, arch: string, opts: GenOptions = {}): Effect.Effect<string, GenericError> =>
  Effect.suspend(() => {
    const mockdir = opts.mockdir ?? "/var/lib/mock"
    let urls: Array<string>
    if (opts.url !== undefined) {
      urls = [opts.url]
    } else {
      if (!(pyTruthy(opts.repoid) && pyTruthy(opts.tag_name))) {
        return Effect.fail(new GenericError({ message: "please provide a repo and tag" }))
      }
      const repoPath = (topdir: string) => `${topdir}/repos/${opts.tag_name}/${opts.repoid}`
      let topurls = opts.topurls !== undefined && opts.topurls.length > 0 ? [...opts.topurls] : undefined
      if (topurls === undefined && pyTruthy(opts.topurl)) topurls = [opts.topurl!]
      urls = topurls !== undefined
        ? topurls.map((u) => `${repoPath(u)}/${arch}`)
        : [`file://${repoPath(opts.topdir ?? "/mnt/koji")}/${arch}`]
    }
    const targetArch = opts.target_arch ?? arch
    const useHostResolv = opts.use_host_resolv ?? false

    const config: Record<string, unknown> = {
      root: name,
      basedir: mockdir,
      target_arch: targetArch,
      chroothome: "/builddir",
      chroot_setup_cmd: `install @${opts.install_group ?? "build"}`,
      rpmbuild_networking: useHostResolv,
      use_host_resolv: useHostResolv,
      rpmbuild_timeout: opts.rpmbuild_timeout ?? 86400,
      dnf_warning: false
    }
    if (opts.forcearch !== undefined) config.forcearch = opts.forcearch
    if (pyTruthy(opts.package_manager)) config.package_manager = opts.package_manager
    if (pyTruthy(opts.bootstrap_image)) {
      config.use_bootstrap_image = true
      config.bootstrap_image = opts.bootstrap_image
    } else {
      config.use_bootstrap_image = false
    }
    if (opts.use_bootstrap !== undefined) config.use_bootstrap = pyTruthy(opts.use_bootstrap)
    if (opts.module_setup_commands !== undefined) config.module_setup_commands = opts.module_setup_commands
    if (opts.releasever !== undefined) config.releasever = opts.releasever

    const bindOpts = opts.bind_opts
    const files: Record<string, string> = {}
    if (useHostResolv) {
      const hosts = opts.etc_hosts ?? readEtcHosts()
      if (hosts !== undefined) files["etc/hosts"] = hosts
    }
    let mavenrc = ""
    if (pyTruthy(opts.maven_opts)) mavenrc = `export MAVEN_OPTS="${opts.maven_opts!.join(" ")}"\n`
    if (pyTruthy(opts.maven_envs)) {
      for (const [k, v] of Object.entries(opts.maven_envs!)) mavenrc += `export ${k}="${v}"\n`
    }
    if (mavenrc) files["etc/mavenrc"] = mavenrc

    const yum: Array<string> = ["[main]\n"]
    if (pyTruthy(opts.yum_proxy)) yum.push(`proxy=${opts.yum_proxy}\n`)
    yum.push(
      "cachedir=/var/cache/yum\ndebuglevel=1\nlogfile=/var/log/yum.log\nreposdir=/dev/null\nretries=20\n" +
        "obsoletes=1\ngpgcheck=0\nassumeyes=1\nkeepcache=1\ninstall_weak_deps=0\nstrict=1\n\n# repos\n\n" +
        "[build]\nname=build\n"
    )
    yum.push(`baseurl=${urls[0]}\n`)
    for (const url of urls.slice(1)) yum.push(`        ${url}\n`)
    if (pyTruthy(opts.module_hotfixes)) yum.push("module_hotfixes=1\n")
    if (pyTruthy(opts.yum_best)) yum.push(`best=${Math.trunc(Number(opts.yum_best))}\n`)
    config["yum.conf"] = yum.join("")

    const pluginConf: Record<string, unknown> = {
      ccache_enable: false,
      yum_cache_enable: false,
      root_cache_enable: false,
      ...opts.plugin_conf
    }

    const macros: Record<string, unknown> = {
      "%_rpmfilename": "%%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm",
      "%vendor": opts.vendor ?? "Koji",
      "%packager": opts.packager ?? "Koji",
      "%distribution": opts.distribution ?? "Unknown",
      ...opts.tag_macros
    }
    // these cannot be overridden by the tag
    macros["%_topdir"] = `${config.chroothome}/build`
    macros["%_host_cpu"] = targetArch
    macros["%_host"] = `${targetArch}-${opts.mockhost ?? "koji-linux-gnu"}`

    const parts: Array<string> = ["# Auto-generated by the Koji build system\n"]
    if (opts.managed) {
      parts.push(
        `\n# Koji buildroot id: ${opts.buildroot_id ?? "None"}\n# Koji buildroot name: ${name}\n` +
          `# Koji repo id: ${opts.repoid ?? "None"}\n# Koji tag: ${opts.tag_name ?? "None"}\n`
      )
    }
    let internalDevSetup = opts.internal_dev_setup
    if (pyTruthy(bindOpts) && internalDevSetup === undefined) internalDevSetup = false
    if (internalDevSetup !== undefined) config.internal_dev_setup = internalDevSetup

    parts.push("\n")
    for (const key of Object.keys(config).sort(byKey)) parts.push(`config_opts[${pyRepr(key)}] = ${pyRepr(config[key])}\n`)
    parts.push("\n")
    for (const key of Object.keys(pluginConf).sort(byKey)) {
      const value = pluginConf[key]
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        parts.push(`config_opts['plugin_conf'][${pyRepr(key)}] = {}\n`)
        const inner = value as Record<string, unknown>
        for (const key2 of Object.keys(inner).sort(byKey)) {
          parts.push(`config_opts['plugin_conf'][${pyRepr(key)}][${pyRepr(key2)}] = ${pyRepr(inner[key2])}\n`)
        }
      } else {
        parts.push(`config_opts['plugin_conf'][${pyRepr(key)}] = ${pyRepr(value)}\n`)
      }
    }
    parts.push("\n")
    if (pyTruthy(bindOpts)) {
      for (const key of Object.keys(bindOpts!)) {
        for (const [src, dest] of Object.entries(bindOpts![key]!)) {
          parts.push(`config_opts['plugin_conf']['bind_mount_opts'][${pyRepr(key)}].append((${pyRepr(src)}, ${pyRepr(dest)}))\n`)
        }
      }
      parts.push("\n")
    }
    for (const key of Object.keys(macros).sort(byKey)) parts.push(`config_opts['macros'][${pyRepr(key)}] = ${pyRepr(macros[key])}\n`)
    parts.push("\n")
    const envvars = opts.tag_envvars ?? {}
    const envKeys = Object.keys(envvars).sort(byKey)
    for (const key of envKeys) parts.push(`config_opts['environment'][${pyRepr(key)}] = ${pyRepr(envvars[key])}\n`)
    if (envKeys.length > 0) parts.push("\n")
    for (const key of Object.keys(files).sort(byKey)) parts.push(`config_opts['files'][${pyRepr(key)}] = ${pyRepr(files[key])}\n`)
    return Effect.succeed(parts.join(""))
  })

// Python's str() of a JSON value, as kojid formats extra values into macros and the environment
const pyStr = (value: unknown): string => (typeof value === "string" ? value : pyRepr(value))

/**
 * What `fromBuildConfig` needs besides the tag's config.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeriveOptions {
  /** `builder`: kojid's `_writeMockConfig` (tag macros as strings, `rpm.env.*`, the sign plugin, a
   * bootstrap image only where the builder allows it); `cli`: `koji mock-config`. */
  readonly mode: "builder" | "cli"
  readonly arch: string
  /** The builder's `mock_bootstrap_image` setting (default false). */
  readonly allowBootstrapImage?: boolean | undefined
}

/**
 * The `genMockConfig` options a tag's `getBuildConfig` gives (its `mock.*`, `rpm.macro.*` and
 * `rpm.env.*` extras), as kojid or the CLI derive them. Fails with Koji's GenericError when the
 * sign plugin is half configured (builder only).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromBuildConfig = (
  buildConfig: Pick<BuildConfig, "extra">,
  options: DeriveOptions
): Effect.Effect<GenOptions, GenericError> =>
  Effect.suspend(() => {
    const extra: Readonly<Record<string, unknown>> = buildConfig.extra ?? {}
    const has = (key: string) => Object.hasOwn(extra, key)
    const opts: Record<string, unknown> = {}
    if (has("mock.forcearch") && pyTruthy(extra["mock.forcearch"])) opts.forcearch = options.arch
    if (has("mock.package_manager")) opts.package_manager = extra["mock.package_manager"]
    if (has("mock.yum.module_hotfixes")) opts.module_hotfixes = extra["mock.yum.module_hotfixes"]
    if (has("mock.yum.best")) opts.yum_best = Math.trunc(Number(extra["mock.yum.best"]))
    if (options.mode === "builder" && has("mock.plugin_conf.sign_enable")) {
      if (!has("mock.plugin_conf.sign_opts.cmd") || !has("mock.plugin_conf.sign_opts.opts")) {
        return Effect.fail(new GenericError({ message: "Tag is not configured properly for mock's sign plugin'" }))
      }
      opts.plugin_conf = {
        sign_enable: extra["mock.plugin_conf.sign_enable"],
        sign_opts: {
          cmd: extra["mock.plugin_conf.sign_opts.cmd"],
          opts: extra["mock.plugin_conf.sign_opts.opts"]
        }
      }
    }
    if (has("mock.module_setup_commands")) opts.module_setup_commands = extra["mock.module_setup_commands"]
    if (has("mock.releasever")) opts.releasever = extra["mock.releasever"]
    const macros: Record<string, unknown> = {}
    const env: Record<string, unknown> = {}
    for (const key of Object.keys(extra)) {
      if (key.startsWith("rpm.macro.")) {
        macros[`%${key.slice(10)}`] = options.mode === "builder" ? pyStr(extra[key]) : extra[key]
      } else if (key.startsWith("rpm.env.") && options.mode === "builder") {
        env[key.slice(8)] = pyStr(extra[key])
      }
    }
    opts.tag_macros = macros
    if (options.mode === "builder") opts.tag_envvars = env
    if (has("mock.use_bootstrap")) opts.use_bootstrap = pyTruthy(extra["mock.use_bootstrap"])
    const image = extra["mock.bootstrap_image"]
    if (options.mode === "cli") {
      if (has("mock.bootstrap_image")) opts.bootstrap_image = image
    } else if (options.allowBootstrapImage && pyTruthy(image)) {
      opts.bootstrap_image = image
    }
    return Effect.succeed(opts as GenOptions)
  })

/**
 * A builder's mock settings (kojid.conf's names and defaults).
 *
 * @since 0.1.0
 * @category models
 */
export interface MockSettings {
  /** mock's basedir (default `/var/lib/mock`). */
  readonly mockdir?: string | undefined
  /** The hub's topdir on this machine, for a `file://` repo when no topurl is given (default `/mnt/koji`). */
  readonly topdir?: string | undefined
  readonly packager?: string | undefined
  readonly vendor?: string | undefined
  readonly distribution?: string | undefined
  readonly mockhost?: string | undefined
  readonly yum_proxy?: string | undefined
  /** kojid's `mock_bootstrap_image`: let tags ask for a bootstrap image (default false). */
  readonly mock_bootstrap_image?: boolean | undefined
}

/**
 * The name kojid gives a buildroot's mock config: `<tag>-<buildroot id>-<repo id>`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const buildrootName = (options: Pick<BuildrootOptions, "id" | "tagName" | "repoId">): string =>
  `${options.tagName ?? "None"}-${options.id}-${options.repoId ?? "None"}`

/**
 * The mock config of a buildroot, as kojid writes it (`BuildRoot._writeMockConfig`): managed, named
 * `<tag>-<id>-<repo>`, from the tag's `getBuildConfig`, the repo at `<topurl>/repos/<tag>/<repo>/<arch>`,
 * the network only when the buildroot allows it, the build step's time limit as `rpmbuild_timeout`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generate = (options: BuildrootOptions, settings: MockSettings = {}): Effect.Effect<string, GenericError> =>
  Effect.gen(function*() {
    const derived = yield* fromBuildConfig(options.buildConfig ?? { extra: {} }, {
      mode: "builder",
      arch: targetArchOf(options.arch),
      allowBootstrapImage: settings.mock_bootstrap_image
    })
    return yield* genMockConfig(buildrootName(options), options.arch, {
      ...derived,
      managed: true,
      buildroot_id: options.id,
      repoid: options.repoId ?? null,
      tag_name: options.tagName ?? null,
      mockdir: settings.mockdir,
      topdir: settings.topdir,
      topurl: options.topurl,
      packager: settings.packager ?? "Koji",
      vendor: settings.vendor ?? "Koji",
      distribution: settings.distribution ?? "Koji",
      mockhost: settings.mockhost,
      yum_proxy: settings.yum_proxy,
      rpmbuild_timeout: Math.max(1, Math.round(Duration.toSeconds(options.timeout))),
      use_host_resolv: options.networking,
      install_group: options.installGroup ?? (options.networking ? "srpm-build" : "build"),
      target_arch: targetArchOf(options.arch),
      maven_opts: null,
      maven_envs: null,
      bind_opts: null
    })
  })

/**
 * kojid's target arch for an arch (`armhfp` is `armv7hl` to autoconf).
 *
 * @since 0.1.0
 * @category constructors
 */
export const targetArchOf = (arch: string): string => (arch === "armhfp" ? "armv7hl" : arch)
