/**
 * Koji's N-V-R and N-V-R.A strings (`koji.parse_NVR`, `parse_NVRA`, `check_NVR`,
 * `check_NVRA`; reference 9).
 *
 * An NVR splits on its last two `-`: `bash-5.2.26-3.fc40` is name `bash`, version
 * `5.2.26`, release `3.fc40`. An epoch may prefix the name (`1:bash-5.2.26-3.fc40`,
 * Koji's only epoch form); the rpm-style `N-E:V-R` is not special to Koji, so its
 * epoch stays in the version. An NVRA adds `.arch` (and may end in `.rpm` or carry an
 * `@location`, the external repo's name). Koji's epoch is a string: `""` when absent.
 *
 * The parsers answer an `Either`, which can be `yield*`ed in `Effect.gen`.
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import { GenericError } from "../domain/Errors.js"

/**
 * A parsed N-V-R. `epoch` is `""` when the string had none (Koji's value).
 *
 * @since 0.1.0
 * @category models
 */
export interface Nvr {
  readonly name: string
  readonly version: string
  readonly release: string
  readonly epoch: string
}

/**
 * A parsed N-V-R.A: the arch, whether it is a source RPM, and the `@location` if given.
 *
 * @since 0.1.0
 * @category models
 */
export interface Nvra extends Nvr {
  readonly arch: string
  readonly src: boolean
  readonly location?: string | undefined
}

const invalid = (s: string) => new GenericError({ message: `invalid format: ${s}` })

/**
 * Koji's `parse_NVR`: split on the last two `-` (neither part may be empty), then an
 * optional `E:` prefix off the name.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseNVR = (nvr: string): Either.Either<Nvr, GenericError> => {
  const p2 = nvr.lastIndexOf("-")
  if (p2 === -1 || p2 === nvr.length - 1) return Either.left(invalid(nvr))
  const p1 = p2 === 0 ? -1 : nvr.lastIndexOf("-", p2 - 1)
  if (p1 === -1 || p1 === p2 - 1) return Either.left(invalid(nvr))
  const full = nvr.slice(0, p1)
  const colon = full.indexOf(":")
  return Either.right({
    name: colon === -1 ? full : full.slice(colon + 1),
    version: nvr.slice(p1 + 1, p2),
    release: nvr.slice(p2 + 1),
    epoch: colon === -1 ? "" : full.slice(0, colon)
  })
}

/**
 * Koji's `parse_NVRA`: an optional `@location` suffix, an optional `.rpm`, then the
 * arch after the last `.` (which may not be empty), then the N-V-R.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parseNVRA = (nvra: string): Either.Either<Nvra, GenericError> => {
  const at = nvra.indexOf("@")
  let rest = at === -1 ? nvra : nvra.slice(0, at)
  const location = at === -1 ? undefined : nvra.slice(at + 1)
  if (rest.endsWith(".rpm")) rest = rest.slice(0, -4)
  const p3 = rest.lastIndexOf(".")
  if (p3 === -1 || p3 === rest.length - 1) return Either.left(invalid(rest))
  const arch = rest.slice(p3 + 1)
  return Either.map(parseNVR(rest.slice(0, p3)), (nvr) => ({
    ...nvr,
    arch,
    src: arch === "src",
    // Koji keeps the location only when it is not empty
    ...(location ? { location } : {})
  }))
}

/**
 * Koji's `check_NVR(strict=True)`: a string must parse, and neither version nor
 * release may contain `-`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const checkNVR = (
  nvr: string | { readonly version: string; readonly release: string }
): Either.Either<void, GenericError> =>
  Either.flatMap(typeof nvr === "string" ? parseNVR(nvr) : Either.right(nvr), (parts) => {
    if (parts.version.includes("-")) {
      return Either.left(new GenericError({ message: "The \"-\" character not allowed in version field" }))
    }
    if (parts.release.includes("-")) {
      return Either.left(new GenericError({ message: "The \"-\" character not allowed in release field" }))
    }
    return Either.void
  })

/**
 * Koji's `check_NVRA(strict=True)`: `check_NVR`, and the arch may not contain `.`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const checkNVRA = (
  nvra: string | { readonly version: string; readonly release: string; readonly arch: string }
): Either.Either<void, GenericError> =>
  Either.flatMap(typeof nvra === "string" ? parseNVRA(nvra) : Either.right(nvra), (parts) =>
    Either.flatMap(checkNVR(parts), () =>
      parts.arch.includes(".")
        ? Either.left(new GenericError({ message: "The \".\" character not allowed in arch field" }))
        : Either.void))

/**
 * `name-version-release` (no epoch), as Koji's `nvr` fields.
 *
 * @since 0.1.0
 * @category combinators
 */
export const formatNVR = (nvr: { readonly name: string; readonly version: string; readonly release: string }): string =>
  `${nvr.name}-${nvr.version}-${nvr.release}`

/**
 * `name-version-release.arch` (no epoch, no `.rpm`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const formatNVRA = (
  nvra: { readonly name: string; readonly version: string; readonly release: string; readonly arch: string }
): string => `${formatNVR(nvra)}.${nvra.arch}`
