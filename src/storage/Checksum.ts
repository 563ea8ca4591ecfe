/**
 * Incremental checksums of the kinds Koji's clients send with uploads: adler32 (the fast
 * upload's per-chunk check, 8 lowercase hex digits), md5 and sha256 (node:crypto).
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import type { ChecksumType } from "./FileStore.js"

/**
 * A running checksum: feed it bytes, then read the hex digest once.
 *
 * @since 0.1.0
 * @category models
 */
export interface Hasher {
  readonly update: (data: Uint8Array) => void
  /** The lowercase hex digest of everything fed so far. */
  readonly digest: () => string
}

const MOD = 65521
// zlib's NMAX: the most bytes summed before `b` must be reduced to stay below 2^32
const NMAX = 5552

/**
 * An incremental adler32 (zlib's), starting from `start` (1 for a fresh sum).
 *
 * @since 0.1.0
 * @category constructors
 */
export const adler32 = (start = 1): Hasher => {
  let a = start & 0xffff
  let b = (start >>> 16) & 0xffff
  return {
    update: (data) => {
      let i = 0
      const n = data.length
      while (i < n) {
        const end = Math.min(n, i + NMAX)
        for (; i < end; i++) {
          a += data[i]!
          b += a
        }
        a %= MOD
        b %= MOD
      }
    },
    digest: () => (((b << 16) | a) >>> 0).toString(16).padStart(8, "0")
  }
}

/**
 * A fresh hasher of the given kind.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (type: ChecksumType): Hasher => {
  if (type === "adler32") return adler32()
  const hash = createHash(type)
  return {
    update: (data) => {
      hash.update(data)
    },
    digest: () => hash.digest("hex")
  }
}

/**
 * The kinds of checksum koji-ts computes.
 *
 * @since 0.1.0
 * @category constants
 */
export const types: ReadonlyArray<ChecksumType> = ["adler32", "md5", "sha256"]

/**
 * Whether a name (as clients send it: `adler32`, `md5`, `sha256`) is a checksum kind we compute.
 *
 * @since 0.1.0
 * @category guards
 */
export const isType = (name: unknown): name is ChecksumType =>
  typeof name === "string" && (types as ReadonlyArray<string>).includes(name)

/**
 * The checksum of some bytes, in one call.
 *
 * @since 0.1.0
 * @category combinators
 */
export const digest = (type: ChecksumType, data: Uint8Array): string => {
  const hasher = make(type)
  hasher.update(data)
  return hasher.digest()
}
