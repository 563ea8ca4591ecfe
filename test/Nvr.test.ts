import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as Nvr from "../src/hub/Nvr.js"

const left = (e: Either.Either<unknown, { readonly message: string; readonly _tag: string }>) => {
  if (Either.isRight(e)) throw new Error(`expected a failure, got ${JSON.stringify(e.right)}`)
  return { _tag: e.left._tag, message: e.left.message, faultCode: (e.left as any).faultCode }
}

describe("Nvr (Koji's parse_NVR / parse_NVRA / check_NVR / check_NVRA)", () => {
  it("splits on the last two dashes; names may hold dashes", () => {
    expect(Nvr.parseNVR("bash-5.2.26-3.fc40")).toEqual(
      Either.right({ name: "bash", version: "5.2.26", release: "3.fc40", epoch: "" })
    )
    expect(Nvr.parseNVR("python3-rpm-macros-3.12-7")).toEqual(
      Either.right({ name: "python3-rpm-macros", version: "3.12", release: "7", epoch: "" })
    )
  })

  it("an epoch prefixes the name (E:N-V-R); the rpm-style N-E:V-R keeps it in the version, as Koji", () => {
    expect(Nvr.parseNVR("1:bash-5.2-3")).toEqual(Either.right({ name: "bash", version: "5.2", release: "3", epoch: "1" }))
    expect(Nvr.parseNVR("bash-1:5.2-3")).toEqual(
      Either.right({ name: "bash", version: "1:5.2", release: "3", epoch: "" })
    )
    // only the first colon splits
    expect(Nvr.parseNVR("2:a:b-1-1")).toEqual(Either.right({ name: "a:b", version: "1", release: "1", epoch: "2" }))
  })

  it("bad strings: GenericError 1000 'invalid format: X'", () => {
    for (const bad of ["bash", "bash-1", "bash-1-", "-1", "bash--1", "", "-", "a-b-"]) {
      expect(left(Nvr.parseNVR(bad)), bad).toEqual({ _tag: "GenericError", message: `invalid format: ${bad}`, faultCode: 1000 })
    }
    // an empty name is allowed by Koji's split (only version and release must be non-empty)
    expect(Nvr.parseNVR("-1-2")).toEqual(Either.right({ name: "", version: "1", release: "2", epoch: "" }))
  })

  it("NVRA: arch after the last dot, optional .rpm, optional @location", () => {
    expect(Nvr.parseNVRA("bash-5.2-3.fc40.x86_64.rpm")).toEqual(
      Either.right({ name: "bash", version: "5.2", release: "3.fc40", epoch: "", arch: "x86_64", src: false })
    )
    expect(Nvr.parseNVRA("bash-5.2-3.src")).toEqual(
      Either.right({ name: "bash", version: "5.2", release: "3", epoch: "", arch: "src", src: true })
    )
    expect(Nvr.parseNVRA("bash-5.2-3.noarch@fedora-repo")).toEqual(
      Either.right({ name: "bash", version: "5.2", release: "3", epoch: "", arch: "noarch", src: false, location: "fedora-repo" })
    )
    // an empty location is dropped
    expect(Nvr.parseNVRA("bash-5.2-3.noarch@")).toEqual(
      Either.right({ name: "bash", version: "5.2", release: "3", epoch: "", arch: "noarch", src: false })
    )
    // the arch is "2-3", and "bash-5" is no N-V-R
    expect(left(Nvr.parseNVRA("bash-5.2-3"))).toMatchObject({ message: "invalid format: bash-5" })
    expect(left(Nvr.parseNVRA("bash-5.2-3."))).toMatchObject({ message: "invalid format: bash-5.2-3." })
    expect(left(Nvr.parseNVRA("bash.x86_64"))).toMatchObject({ message: "invalid format: bash" })
  })

  it("check_NVR / check_NVRA: dashes in version or release, dots in arch", () => {
    expect(Either.isRight(Nvr.checkNVR("bash-5.2-3"))).toBe(true)
    expect(Either.isRight(Nvr.checkNVR({ version: "5.2", release: "3" }))).toBe(true)
    expect(left(Nvr.checkNVR({ version: "5-2", release: "3" }))).toEqual({
      _tag: "GenericError",
      message: "The \"-\" character not allowed in version field",
      faultCode: 1000
    })
    expect(left(Nvr.checkNVR({ version: "5.2", release: "3-1" })).message).toBe(
      "The \"-\" character not allowed in release field"
    )
    expect(left(Nvr.checkNVR("bash"))).toMatchObject({ message: "invalid format: bash" })
    expect(Either.isRight(Nvr.checkNVRA("bash-5.2-3.x86_64"))).toBe(true)
    expect(left(Nvr.checkNVRA({ version: "1", release: "1", arch: "x86.64" })).message).toBe(
      "The \".\" character not allowed in arch field"
    )
  })

  it("formats N-V-R and N-V-R.A", () => {
    expect(Nvr.formatNVR({ name: "bash", version: "5.2", release: "3" })).toBe("bash-5.2-3")
    expect(Nvr.formatNVRA({ name: "bash", version: "5.2", release: "3", arch: "noarch" })).toBe("bash-5.2-3.noarch")
    const parsed = Nvr.parseNVR("bash-5.2-3")
    expect(Either.map(parsed, Nvr.formatNVR)).toEqual(Either.right("bash-5.2-3"))
  })
})
