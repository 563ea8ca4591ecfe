/**
 * Times as Koji's hub sends them. A `TIMESTAMPTZ` column travels as a string made by Python's
 * `isoformat(' ')`, e.g. `"2025-07-02 16:29:15.123456+00:00"` (no fraction when the microseconds
 * are 0), and most calls add the same instant as a float `*_ts` (seconds since the epoch), which
 * clients prefer (reference 2.4).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const pattern = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:([+-])(\d{2}):(\d{2}))?$/

/**
 * A timestamp string in Python's `isoformat(' ')` form.
 *
 * @since 0.1.0
 * @category models
 */
export const Timestamp = Schema.String.pipe(Schema.pattern(pattern)).annotations({
  identifier: "Timestamp",
  description: "a time as Python's isoformat(' '), e.g. 2025-07-02 16:29:15.123456+00:00"
})
/**
 * @since 0.1.0
 * @category models
 */
export type Timestamp = typeof Timestamp.Type

/**
 * Seconds since the epoch as a float (`date_part('epoch', ...)`), the `*_ts` fields.
 *
 * @since 0.1.0
 * @category models
 */
export const Epoch = Schema.Number.annotations({
  identifier: "Epoch",
  description: "seconds since the epoch, with a fraction"
})
/**
 * @since 0.1.0
 * @category models
 */
export type Epoch = typeof Epoch.Type

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/**
 * The timestamp string (UTC, `+00:00`) of an instant given in seconds since the epoch, keeping
 * microseconds.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromEpoch = (seconds: number): Timestamp => {
  const micros = Math.round(seconds * 1e6)
  const whole = Math.floor(micros / 1e6)
  const fraction = micros - whole * 1e6
  const d = new Date(whole * 1000)
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  return `${date} ${time}${fraction === 0 ? "" : `.${pad(fraction, 6)}`}+00:00`
}

/**
 * The timestamp string (UTC, `+00:00`) of a `Date`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromDate = (date: Date): Timestamp => fromEpoch(date.getTime() / 1000)

/**
 * Seconds since the epoch of a timestamp string; a string without an offset is read as UTC.
 * `undefined` when the string is not a timestamp.
 *
 * @since 0.1.0
 * @category utils
 */
export const toEpoch = (timestamp: string): number | undefined => {
  const m = pattern.exec(timestamp)
  if (m === null) {
    return undefined
  }
  const [, y, mo, d, h, mi, s, frac, sign, oh, om] = m
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000
  const offset = sign === undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60)
  const micros = frac === undefined ? 0 : Number(frac.padEnd(6, "0"))
  return (Math.round(utc * 1e6) + micros) / 1e6 - offset
}
