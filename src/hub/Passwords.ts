/**
 * Password hashes: scrypt, stored as `scrypt$N$r$p$salt$hash` (base64), checked in constant time.
 * Koji keeps plain text; koji-ts never does.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto"

const N = 16384
const R = 8
const P = 1
const KEY_LENGTH = 32

const derive = (password: string, salt: Buffer, n: number, r: number, p: number, length: number) =>
  Effect.async<Buffer, Error>((resume) => {
    scrypt(password.normalize("NFC"), salt, length, { N: n, r, p, maxmem: 256 * n * r }, (error, key) => {
      resume(error ? Effect.fail(error) : Effect.succeed(key))
    })
  })

/**
 * Hash a password for storage.
 *
 * @since 0.1.0
 * @category constructors
 */
export const hash = (password: string): Effect.Effect<string> =>
  Effect.gen(function*() {
    const salt = randomBytes(16)
    const key = yield* Effect.orDie(derive(password, salt, N, R, P, KEY_LENGTH))
    return `scrypt$${N}$${R}$${P}$${salt.toString("base64")}$${key.toString("base64")}`
  })

// verifying against a missing hash still costs one derivation, so timing does not tell whether a user exists
const decoy = `scrypt$${N}$${R}$${P}$${Buffer.alloc(16).toString("base64")}$${Buffer.alloc(KEY_LENGTH).toString("base64")}`

/**
 * Check a password against a stored hash (`null`: the user has no password; always false).
 *
 * @since 0.1.0
 * @category combinators
 */
export const verify = (password: string, stored: string | null): Effect.Effect<boolean> =>
  Effect.gen(function*() {
    const parts = (stored ?? decoy).split("$")
    if (parts.length !== 6 || parts[0] !== "scrypt") return false
    const [, n, r, p, salt, expected] = parts
    const expectedKey = Buffer.from(expected!, "base64")
    const key = yield* derive(password, Buffer.from(salt!, "base64"), Number(n), Number(r), Number(p), expectedKey.length)
      .pipe(Effect.orElseSucceed(() => Buffer.alloc(expectedKey.length)))
    return timingSafeEqual(key, expectedKey) && stored !== null
  })
