/**
 * What the build, RPM and tagging commands share: the records they read, Koji's
 * paths under the topdir, the build tables, time options and `asctime`.
 *
 * @since 0.1.0
 */
import { Options } from "@effect/cli"
import { Effect, Option } from "effect"
import * as Format from "../Format.js"
import { Session, usageError } from "../Session.js"
import * as Nvr from "../../hub/Nvr.js"

/**
 * A build as the commands read it (`getBuild`, `listBuilds`, `listTagged`).
 *
 * @since 0.1.0
 * @category models
 */
export interface BuildInfo {
  readonly id: number
  readonly build_id: number
  readonly name: string
  readonly version: string
  readonly release: string
  readonly epoch: number | null
  readonly nvr: string
  readonly state: number
  readonly draft: boolean
  readonly task_id: number | null
  readonly owner_name: string
  readonly volume_name: string
  readonly source: string | null
  readonly cg_name?: string | null
  readonly completion_ts?: number | null
  readonly promotion_ts?: number | null
  readonly promoter_name?: string | null
  readonly tag_name?: string
  readonly package_name?: string
  readonly extra?: Readonly<Record<string, unknown>> | null
}

/**
 * An RPM as the commands read it (`getRPM`, `listRPMs`, `listTaggedRPMS`).
 *
 * @since 0.1.0
 * @category models
 */
export interface RpmInfo {
  readonly id: number
  readonly name: string
  readonly version: string
  readonly release: string
  readonly arch: string
  readonly epoch: number | null
  readonly draft: boolean | null
  readonly payloadhash: string
  readonly size: number
  readonly buildtime: number
  readonly build_id: number | null
  readonly buildroot_id: number | null
  readonly external_repo_id?: number
  readonly extra?: Readonly<Record<string, unknown>> | null
  readonly sigkey?: string | null
}

/**
 * `--quiet`.
 *
 * @since 0.1.0
 * @category options
 */
export const quietOption = Options.boolean("quiet").pipe(Options.withDescription("Do not print the header information"))
/**
 * `--json`.
 *
 * @since 0.1.0
 * @category options
 */
export const json = Options.boolean("json").pipe(Options.withDescription("Print the result as JSON"))
/**
 * An optional text option.
 *
 * @since 0.1.0
 * @category options
 */
export const text = (name: string, description: string) =>
  Options.text(name).pipe(Options.optional, Options.withDescription(description))

/**
 * Python's string order.
 *
 * @since 0.1.0
 * @category formatting
 */
export const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Koji's `PathInfo(topdir).build(build)`: the build's directory.
 *
 * @since 0.1.0
 * @category formatting
 */
export const buildDir = (topdir: string, build: { readonly volume_name?: string | null; readonly name: string; readonly version: string; readonly release: string }) =>
  `${!build.volume_name || build.volume_name === "DEFAULT" ? topdir : `${topdir}/vol/${build.volume_name}`}/packages/${build.name}/${build.version}/${build.release}`
/**
 * Koji's `PathInfo.rpm(rpm)`: the RPM's path in its build's directory.
 *
 * @since 0.1.0
 * @category formatting
 */
export const rpmPath = (rpm: { readonly arch: string; readonly name: string; readonly version: string; readonly release: string }) =>
  `${rpm.arch}/${Nvr.formatNVRA(rpm)}.rpm`

/**
 * `getBuild(buildInfo)`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const getBuild = (buildInfo: string | number) =>
  Effect.flatMap(Session, (s) => s.call("getBuild", { buildInfo }) as Effect.Effect<BuildInfo | null>)

/**
 * The lines of Koji's `%(nvr)-40s  %(tag_name)-20s  %(owner_name)s` table.
 *
 * @since 0.1.0
 * @category formatting
 */
export const table3 = (rows: ReadonlyArray<BuildInfo>) =>
  rows.map((b) => `${Format.ljust(b.nvr, 40)}  ${Format.ljust(b.tag_name ?? "", 20)}  ${b.owner_name}`)

/**
 * The header of that table.
 *
 * @since 0.1.0
 * @category formatting
 */
export const header3 = ["Build".padEnd(40) + "  " + "Tag".padEnd(20) + "  Built by", `${"-".repeat(40)}  ${"-".repeat(20)}  ${"-".repeat(16)}`]

/**
 * Koji's `TimeOption`: seconds since the epoch, or a date/time (local time unless it says
 * otherwise); a bad value is the parser's error.
 *
 * @since 0.1.0
 * @category options
 */
export const timeOption = (flag: string, value: Option.Option<string>) =>
  Effect.suspend(() => {
    if (Option.isNone(value)) return Effect.succeed(undefined)
    const raw = value.value.trim()
    if (raw !== "" && !Number.isNaN(Number(raw))) return Effect.succeed(Number(raw))
    const parsed = Date.parse(raw)
    return Number.isNaN(parsed)
      ? usageError(`option --${flag}: invalid time specification: ${Format.repr(value.value)}`)
      : Effect.succeed(parsed / 1000)
  })

const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const pad2 = (n: number) => String(n).padStart(2, "0")

/**
 * Python's `time.asctime(time.localtime(ts))` (or in UTC): `Wed Jul  2 16:29:15 2025`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const asctimeLocal = (ts: number, utc = false): string => {
  const d = new Date(ts * 1000)
  const [day, month, date, hours, minutes, seconds, year] = utc
    ? [d.getUTCDay(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCFullYear()]
    : [d.getDay(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getFullYear()]
  return `${days[day]} ${months[month]} ${String(date).padStart(2)} ${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)} ${year}`
}
