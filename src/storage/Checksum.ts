/**
 * Incremental checksums of the kinds Koji's clients send with uploads: adler32 (the fast
 * upload's per-chunk check, 8 lowercase hex digits), md5 and sha256 (node:crypto).
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import { createAdler32, type IHasher } from "hash-wasm"
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
 * The adler32 sums `(a, b)` after `data`, from `(a, b)`: the hot loop, on locals only.
 */
const sums = (data: Uint8Array, a0: number, b0: number): number => {
  let a = a0
  let b = b0
  const n = data.length
  let i = 0
  while (i < n) {
    const end = Math.min(n, i + NMAX)
    const unrolled = end - ((end - i) & 7)
    while (i < unrolled) {
      a += data[i]!
      b += a
      a += data[i + 1]!
      b += a
      a += data[i + 2]!
      b += a
      a += data[i + 3]!
      b += a
      a += data[i + 4]!
      b += a
      a += data[i + 5]!
      b += a
      a += data[i + 6]!
      b += a
      a += data[i + 7]!
      b += a
      i += 8
    }
    while (i < end) {
      a += data[i++]!
      b += a
    }
    a %= MOD
    b %= MOD
  }
  return b * 65536 + a
}

/**
 * An incremental adler32 (zlib's), starting from `start` (1 for a fresh sum).
 *
 * @since 0.1.0
 * @category constructors
 */
export const adler32 = (start = 1): Hasher => {
  let value = start >>> 0
  return {
    update: (data) => {
      value = wasm !== undefined && data.length >= WASM_FROM
        ? combine(value, wasmSum(wasm, data), data.length)
        : sums(data, value & 0xffff, Math.floor(value / 65536))
    },
    digest: () => hex(value)
  }
}

// hash-wasm's adler32 (WebAssembly, about twice as fast as the loop above on large pieces): one
// instance, used synchronously for one piece at a time; until it is compiled, the loop does it all
let wasm: IHasher | undefined
createAdler32().then((hasher) => {
  wasm = hasher
}, () => {})
const WASM_FROM = 16 * 1024

const wasmSum = (hasher: IHasher, data: Uint8Array): number => {
  hasher.init()
  hasher.update(data)
  const out = hasher.digest("binary")
  return ((out[0]! << 24) | (out[1]! << 16) | (out[2]! << 8) | out[3]!) >>> 0
}

const hex = (value: number) => (value >>> 0).toString(16).padStart(8, "0")

/**
 * The adler32 of two pieces one after the other, from each piece's adler32 (as 8 hex digits)
 * and the second one's length (zlib's `adler32_combine`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const combineAdler32 = (first: string, second: string, secondLength: number): string =>
  hex(combine(parseInt(first, 16), parseInt(second, 16), secondLength))

const combine = (adler1: number, adler2: number, secondLength: number): number => {
  const rem = secondLength % MOD
  let sum1 = adler1 & 0xffff
  let sum2 = (rem * sum1) % MOD
  sum1 += (adler2 & 0xffff) + MOD - 1
  sum2 += Math.floor(adler1 / 65536) + Math.floor(adler2 / 65536) + MOD - rem
  if (sum1 >= MOD) sum1 -= MOD
  if (sum1 >= MOD) sum1 -= MOD
  if (sum2 >= MOD * 2) sum2 -= MOD * 2
  if (sum2 >= MOD) sum2 -= MOD
  return sum2 * 65536 + sum1
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
