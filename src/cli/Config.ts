/**
 * Koji's client configuration (`koji.read_config`): INI files with one section
 * per profile, read in Koji's order, later files winning key by key:
 *
 * 1. `/etc/koji.conf.d/*.conf` (sorted), then `/etc/koji.conf`;
 * 2. `~/.koji/config.d/*.conf` (sorted), then `~/.koji/config` — or, instead of
 *    these two, the file given with `--config` (which must exist).
 *
 * The files are parsed with the `ini` package after a pass that gives them the
 * meaning Python's `ConfigParser` gives them (`key: value` as well as
 * `key = value`, values taken literally, indented continuation lines, a `[DEFAULT]`
 * section, `%(key)s` interpolation, case-insensitive keys, dotted profile names).
 *
 * The roots are injectable: `home` (default `$HOME`) and `sysconfdir` (default
 * `$KOJI_SYSCONFDIR`, else `/etc`), so that tests never read the real ones.
 *
 * @since 0.1.0
 */
import { Data, Effect } from "effect"
import * as Ini from "ini"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

/**
 * A profile's settings, with Koji's keys and defaults.
 *
 * @since 0.1.0
 * @category models
 */
export interface Profile {
  /** The profile's name (its section). */
  readonly profile: string
  readonly server: string
  readonly weburl: string
  readonly topurl: string | null
  readonly pkgurl: string | null
  readonly topdir: string
  readonly max_retries: number
  readonly retry_interval: number
  readonly anon_retry: boolean
  readonly offline_retry: boolean
  readonly offline_retry_interval: number
  readonly timeout: number
  readonly auth_timeout: number
  readonly use_fast_upload: boolean
  readonly upload_blocksize: number
  readonly poll_interval: number
  readonly principal: string | null
  readonly keytab: string | null
  /** The client certificate (PEM with its key); `~/.koji/client.crt` when that exists, else "". */
  readonly cert: string
  /** The CA of the hub's certificate; `~/.koji/serverca.crt` when that exists, else "". */
  readonly serverca: string
  readonly no_ssl_verify: boolean
  readonly authtype: string | null
  readonly debug: boolean
  readonly debug_xmlrpc: boolean
  readonly pyver: number | null
  readonly plugin_paths: string | null
  readonly force_auth: boolean
  /** koji-ts also reads `user` and `password` from the profile (Koji takes them only from the command line). */
  readonly user: string | null
  readonly password: string | null
}

/**
 * Koji's defaults (`read_config`'s `config_defaults`).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: Omit<Profile, "profile" | "cert" | "serverca"> & {
  readonly cert: string | null
  readonly serverca: string | null
} = {
  server: "http://localhost/kojihub",
  weburl: "http://localhost/koji",
  topurl: null,
  pkgurl: null,
  topdir: "/mnt/koji",
  max_retries: 30,
  retry_interval: 20,
  anon_retry: false,
  offline_retry: false,
  offline_retry_interval: 20,
  timeout: 60 * 60 * 12,
  auth_timeout: 60,
  use_fast_upload: true,
  upload_blocksize: 1048576,
  poll_interval: 6,
  principal: null,
  keytab: null,
  cert: null,
  serverca: null,
  no_ssl_verify: false,
  authtype: null,
  debug: false,
  debug_xmlrpc: false,
  pyver: null,
  plugin_paths: null,
  force_auth: false,
  user: null,
  password: null
}

const booleanKeys = new Set(["anon_retry", "offline_retry", "use_fast_upload", "debug", "debug_xmlrpc", "force_auth", "no_ssl_verify"])
const integerKeys = new Set([
  "max_retries",
  "retry_interval",
  "offline_retry_interval",
  "poll_interval",
  "timeout",
  "auth_timeout",
  "upload_blocksize",
  "pyver"
])

/**
 * Koji's `ConfigurationError` (the CLI reports it as an option error, exit 2).
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigurationError extends Data.TaggedError("ConfigurationError")<{ readonly message: string }> {}

/**
 * Where the configuration lives.
 *
 * @since 0.1.0
 * @category models
 */
export interface Locations {
  /** The user's home (`~`). */
  readonly home: string
  /** The system configuration root (`/etc`). */
  readonly sysconfdir: string
}

/**
 * The locations from an environment: `HOME` and `KOJI_SYSCONFDIR` (default `/etc`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const locationsFrom = (env: Readonly<Record<string, string | undefined>>): Locations => ({
  home: env["HOME"] !== undefined && env["HOME"] !== "" ? env["HOME"] : Os.homedir(),
  sysconfdir: env["KOJI_SYSCONFDIR"] !== undefined && env["KOJI_SYSCONFDIR"] !== "" ? env["KOJI_SYSCONFDIR"] : "/etc"
})

/**
 * `~` expansion (`os.path.expanduser`) against `home`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const expandUser = (path: string, home: string): string =>
  path === "~" ? home : path.startsWith("~/") ? Path.join(home, path.slice(2)) : path

/**
 * The files to read, in order, each with whether it must exist (Koji's `read_config`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const searchPath = (
  locations: Locations,
  configFile?: string | undefined
): ReadonlyArray<{ readonly path: string; readonly strict: boolean }> => [
  { path: Path.join(locations.sysconfdir, "koji.conf.d"), strict: false },
  { path: Path.join(locations.sysconfdir, "koji.conf"), strict: false },
  ...(configFile !== undefined
    ? [{ path: expandUser(configFile, locations.home), strict: true }]
    : [
      { path: Path.join(locations.home, ".koji", "config.d"), strict: false },
      { path: Path.join(locations.home, ".koji", "config"), strict: false }
    ])
]

const isDirectory = (path: string) => {
  try {
    return Fs.statSync(path).isDirectory()
  } catch {
    return false
  }
}

const isFile = (path: string) => {
  try {
    return Fs.statSync(path).isFile()
  } catch {
    return false
  }
}

const filesOf = (entries: ReturnType<typeof searchPath>): Array<string> => {
  const files: Array<string> = []
  for (const { path, strict } of entries) {
    if (isDirectory(path)) {
      const found = Fs.readdirSync(path).filter((n) => n.endsWith(".conf")).sort()
        .map((n) => Path.join(path, n)).filter(isFile)
      if (found.length > 0) files.push(...found)
      else if (strict) throw new ConfigurationError({ message: `No config files found in directory: ${path}` })
    } else if (isFile(path)) {
      files.push(path)
    } else if (strict) {
      throw new ConfigurationError({ message: `Config file ${path} can't be opened.` })
    }
  }
  return files
}

type Sections = Map<string, Map<string, string>>

// ConfigParser's line grammar, rewritten so that `ini` reads every value literally
const normalize = (text: string): string => {
  const out: Array<string> = []
  let pending: { key: string; value: Array<string> } | undefined
  const flush = () => {
    if (pending !== undefined) {
      out.push(`${pending.key} = ${JSON.stringify(pending.value.join("\n").trim())}`)
      pending = undefined
    }
  }
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*$/.test(line) || /^\s*[#;]/.test(line)) {
      flush()
      continue
    }
    if (pending !== undefined && /^\s/.test(line)) {
      pending.value.push(line.trim())
      continue
    }
    flush()
    const section = /^\[(.*)\]\s*$/.exec(line)
    if (section !== null) {
      // escape dots so that `ini` does not nest dotted profile names
      out.push(`[${section[1]!.replace(/[\\;#]/g, (c) => `\\${c}`).replace(/\./g, "\\.")}]`)
      continue
    }
    const delimiter = /[=:]/.exec(line)
    if (delimiter === null) continue
    const key = line.slice(0, delimiter.index).trim().toLowerCase()
    if (key === "" || /[[\]=;#]/.test(key) || key.startsWith("\"") || key.startsWith("'")) continue
    pending = { key, value: [line.slice(delimiter.index + 1)] }
  }
  flush()
  return out.join("\n")
}

const parseInto = (sections: Sections, text: string) => {
  const decoded = Ini.decode(normalize(text)) as Record<string, unknown>
  for (const [name, body] of Object.entries(decoded)) {
    if (typeof body !== "object" || body === null) continue
    const section = sections.get(name) ?? new Map<string, string>()
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      if (typeof value === "string") section.set(key, value)
    }
    sections.set(name, section)
  }
}

const interpolate = (value: string, section: Map<string, string>, defaults: Map<string, string> | undefined): string =>
  value.replace(/%(%|\(([^)]*)\)s)/g, (whole, token: string, name: string | undefined) => {
    if (token === "%") return "%"
    const key = name!.toLowerCase()
    return section.get(key) ?? defaults?.get(key) ?? whole
  })

const getBoolean = (key: string, value: string): boolean => {
  const v = value.toLowerCase()
  if (["1", "yes", "true", "on"].includes(v)) return true
  if (["0", "no", "false", "off"].includes(v)) return false
  throw new ConfigurationError({ message: `value for ${key} config option must be a boolean` })
}

/**
 * Read the settings of `profile` from Koji's files. `required` (an explicitly chosen
 * profile) fails when no file has that section; otherwise Koji's defaults are used.
 *
 * @since 0.1.0
 * @category constructors
 */
export const read = (options: {
  readonly profile: string
  readonly configFile?: string | undefined
  readonly locations: Locations
  readonly required?: boolean | undefined
}): Effect.Effect<Profile, ConfigurationError> =>
  Effect.try({
    try: (): Profile => {
      const files = filesOf(searchPath(options.locations, options.configFile))
      const sections: Sections = new Map()
      for (const file of files) parseInto(sections, Fs.readFileSync(file, "utf8"))
      const section = sections.get(options.profile)
      if (section === undefined && (options.required ?? true)) {
        throw new ConfigurationError({ message: `no configuration for profile name: ${options.profile}` })
      }
      const defaultSection = sections.get("DEFAULT")
      const result: Record<string, unknown> = { ...defaults, profile: options.profile }
      const keys = new Set([...(defaultSection?.keys() ?? []), ...(section?.keys() ?? [])])
      for (const key of keys) {
        if (!(key in defaults)) continue
        const raw = section?.get(key) ?? defaultSection?.get(key)
        if (raw === undefined) continue
        const value = interpolate(raw, section ?? new Map(), defaultSection)
        if (booleanKeys.has(key)) {
          result[key] = getBoolean(key, value)
        } else if (integerKeys.has(key)) {
          const n = Number(value.trim())
          if (value.trim() === "" || !Number.isInteger(n)) {
            throw new ConfigurationError({ message: `value for ${key} config option must be a valid integer` })
          }
          result[key] = n
        } else {
          result[key] = value
        }
      }
      // Koji's certificate defaults: the file in ~/.koji when it exists, else ""
      for (const [key, file] of [["cert", "client.crt"], ["serverca", "serverca.crt"]] as const) {
        const given = result[key]
        if (typeof given === "string") {
          result[key] = expandUser(given, options.locations.home)
        } else {
          const fallback = Path.join(options.locations.home, ".koji", file)
          result[key] = Fs.existsSync(fallback) ? fallback : ""
        }
      }
      result["topdir"] = expandUser(result["topdir"] as string, options.locations.home)
      return result as unknown as Profile
    },
    catch: (e) =>
      e instanceof ConfigurationError ? e : new ConfigurationError({ message: e instanceof Error ? e.message : String(e) })
  })
