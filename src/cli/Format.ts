/**
 * Printing as Koji's CLI prints: Python's `repr` and `pprint.pformat` (what
 * `koji call` shows), `json.dumps(indent=2)`, `koji.formatTimeLong` and the
 * `%`-format column helpers.
 *
 * @since 0.1.0
 */

const reprString = (s: string): string => {
  const quote = s.includes("'") && !s.includes("\"") ? "\"" : "'"
  let out = quote
  for (const ch of s) {
    const code = ch.codePointAt(0)!
    if (ch === quote || ch === "\\") out += `\\${ch}`
    else if (ch === "\n") out += "\\n"
    else if (ch === "\r") out += "\\r"
    else if (ch === "\t") out += "\\t"
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `\\x${code.toString(16).padStart(2, "0")}`
    else out += ch
  }
  return out + quote
}

const reprNumber = (n: number): string => {
  if (Number.isNaN(n)) return "nan"
  if (n === Infinity) return "inf"
  if (n === -Infinity) return "-inf"
  return String(n)
}

/**
 * Python's `repr` of a decoded XML-RPC/JSON value.
 *
 * @since 0.1.0
 * @category formatting
 */
export const repr = (value: unknown): string => {
  if (value === null || value === undefined) return "None"
  if (value === true) return "True"
  if (value === false) return "False"
  if (typeof value === "number") return reprNumber(value)
  if (typeof value === "bigint") return String(value)
  if (typeof value === "string") return reprString(value)
  if (value instanceof Date) return reprString(value.toISOString())
  if (value instanceof Uint8Array) return `b'${Buffer.from(value).toString("base64")}'`
  if (Array.isArray(value)) return `[${value.map(repr).join(", ")}]`
  if (typeof value === "object") {
    const entries = sortedEntries(value as Record<string, unknown>)
    return `{${entries.map(([k, v]) => `${reprString(k)}: ${repr(v)}`).join(", ")}}`
  }
  return reprString(String(value))
}

const sortedEntries = (value: Record<string, unknown>): Array<[string, unknown]> =>
  Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

const isDict = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date) &&
  !(value instanceof Uint8Array)

const width = 80

// Python's pprint.PrettyPrinter._format (width 80, indent 1, sorted dicts)
const format = (value: unknown, indent: number, allowance: number, level: number, out: Array<string>): void => {
  const rep = repr(value)
  const maxWidth = width - indent - allowance
  if (rep.length <= maxWidth) {
    out.push(rep)
    return
  }
  if (Array.isArray(value) && value.length > 0) {
    out.push("[")
    formatItems(value, indent, allowance + 1, level + 1, out)
    out.push("]")
    return
  }
  if (isDict(value) && Object.keys(value).length > 0) {
    out.push("{")
    const items = sortedEntries(value)
    const inner = indent + 1
    items.forEach(([key, entry], i) => {
      const last = i === items.length - 1
      const keyRep = reprString(key)
      out.push(keyRep, ": ")
      format(entry, inner + keyRep.length + 2, last ? allowance + 1 : 1, level + 1, out)
      if (!last) out.push(`,\n${" ".repeat(inner)}`)
    })
    out.push("}")
    return
  }
  if (typeof value === "string" && value.length > 0) {
    formatString(value, indent, allowance, level + 1, out)
    return
  }
  out.push(rep)
}

const formatItems = (items: ReadonlyArray<unknown>, indent: number, allowance: number, level: number, out: Array<string>) => {
  const inner = indent + 1
  items.forEach((item, i) => {
    const last = i === items.length - 1
    if (i > 0) out.push(`,\n${" ".repeat(inner)}`)
    format(item, inner, last ? allowance : 1, level, out)
  })
}

const formatString = (value: string, indent: number, allowance: number, level: number, out: Array<string>) => {
  const chunks: Array<string> = []
  const lines = value.match(/[^\n]*\n|[^\n]+$/g) ?? [value]
  if (level === 1) {
    indent += 1
    allowance += 1
  }
  let maxWidth1 = width - indent
  const maxWidth = width - indent
  lines.forEach((line, i) => {
    const rep = reprString(line)
    if (i === lines.length - 1) maxWidth1 -= allowance
    if (rep.length <= maxWidth1) {
      chunks.push(rep)
      return
    }
    const parts = line.match(/\S*\s*/g)!.filter((p) => p.length > 0)
    let maxWidth2 = maxWidth
    let current = ""
    parts.forEach((part, j) => {
      const candidate = current + part
      if (j === parts.length - 1 && i === lines.length - 1) maxWidth2 -= allowance
      if (reprString(candidate).length > maxWidth2) {
        if (current.length > 0) chunks.push(reprString(current))
        current = part
      } else {
        current = candidate
      }
    })
    if (current.length > 0) chunks.push(reprString(current))
  })
  if (chunks.length === 1) {
    out.push(reprString(value))
    return
  }
  if (level === 1) out.push("(")
  chunks.forEach((chunk, i) => {
    if (i > 0) out.push(`\n${" ".repeat(indent)}`)
    out.push(chunk)
  })
  if (level === 1) out.push(")")
}

/**
 * Python's `pprint.pformat(value)`: what `koji call` prints.
 *
 * @since 0.1.0
 * @category formatting
 */
export const pformat = (value: unknown): string => {
  const out: Array<string> = []
  format(value, 0, 0, 0, out)
  return out.join("")
}

/**
 * Python's `json.dumps(value, indent=2, separators=(',', ': '))` (ASCII only, as Python escapes).
 *
 * @since 0.1.0
 * @category formatting
 */
export const jsonDumps = (value: unknown): string =>
  JSON.stringify(value, (_key, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v), 2)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

const pad2 = (n: number) => String(n).padStart(2, "0")
const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

const zoneName = (date: Date): string => {
  const part = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(date)
    .find((p) => p.type === "timeZoneName")?.value
  return part ?? ""
}

/**
 * `koji.formatTimeLong`: `Sat, 07 Sep 2002 00:00:01 UTC`, in the local time zone.
 * Takes seconds since the epoch or a timestamp string.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatTimeLong = (value: number | string | null | undefined): string => {
  if (value === null || value === undefined || value === "") return ""
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value.replace(" ", "T"))
  if (Number.isNaN(date.getTime())) return String(value)
  return `${days[date.getDay()]}, ${pad2(date.getDate())} ${months[date.getMonth()]} ${date.getFullYear()} ` +
    `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())} ${zoneName(date)}`
}

/**
 * Python's `str()` of a float (`2.0`, `0.5`).
 *
 * @since 0.1.0
 * @category formatting
 */
export const pyFloat = (n: number): string => Number.isInteger(n) ? `${n}.0` : reprNumber(n)

/**
 * `%-Ns`: left-justify in `width` characters.
 *
 * @since 0.1.0
 * @category formatting
 */
export const ljust = (s: string, width: number): string => s.padEnd(width)

/**
 * `%Ns`: right-justify in `width` characters.
 *
 * @since 0.1.0
 * @category formatting
 */
export const rjust = (s: string, width: number): string => s.padStart(width)

/**
 * `%N.Pf`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const fixed = (n: number, precision: number, width = 0): string => n.toFixed(precision).padStart(width)

/**
 * `%Nd` of a number (Python truncates floats toward zero).
 *
 * @since 0.1.0
 * @category formatting
 */
export const int = (n: number, width = 0): string => String(Math.trunc(n)).padStart(width)

/**
 * Koji's `truncate_string`: newlines to spaces, cut at 47 characters plus `...`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const truncate = (s: string | null | undefined, length = 47): string => {
  if (!s) return ""
  const flat = s.replace(/\n/g, " ")
  return flat.length > length ? `${flat.slice(0, length)}...` : flat
}
