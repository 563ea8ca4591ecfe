/**
 * Real RPMs for tests: a tiny spec built with the real `rpmbuild` (`--nodeps`, its own
 * `_topdir` in a temporary directory), and `rpm -qp --qf` to read them back.
 *
 *   const built = yield* RpmBuild.build({ name: "demo", version: "1.0", release: "1" })
 *   built.srpm            // absolute path of demo-1.0-1.src.rpm
 *   built.rpms            // the binary packages (x86_64 and the noarch subpackage)
 */
import { Effect } from "effect"
import type * as KojiClient from "../../src/client/KojiClient.js"
import { FileStore } from "../../src/storage/FileStore.js"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

/** What to build. */
export interface Spec {
  readonly name: string
  readonly version: string
  readonly release: string
  readonly epoch?: number | undefined
  /** The main package is noarch (default: the build host's arch). */
  readonly noarch?: boolean | undefined
  /** Add a noarch `-data` subpackage (default true). */
  readonly dataSubpackage?: boolean | undefined
  readonly exclusiveArch?: ReadonlyArray<string> | undefined
  readonly excludeArch?: ReadonlyArray<string> | undefined
  /** Bytes of (incompressible) content in the main package, to make a large payload. */
  readonly payloadBytes?: number | undefined
}

/** The packages built from a spec. */
export interface Built {
  readonly dir: string
  readonly srpm: string
  readonly rpms: ReadonlyArray<string>
}

const specText = (spec: Spec): string => {
  const lines = [
    `Name: ${spec.name}`,
    `Version: ${spec.version}`,
    `Release: ${spec.release}`,
    ...(spec.epoch !== undefined ? [`Epoch: ${spec.epoch}`] : []),
    `Summary: The ${spec.name} test package`,
    "License: MIT",
    ...(spec.noarch ? ["BuildArch: noarch"] : []),
    ...(spec.exclusiveArch ? [`ExclusiveArch: ${spec.exclusiveArch.join(" ")}`] : []),
    ...(spec.excludeArch ? [`ExcludeArch: ${spec.excludeArch.join(" ")}`] : []),
    "%global debug_package %{nil}",
    "%description",
    `The ${spec.name} package, built by koji-ts tests.`,
    "Second line.",
    ...(spec.dataSubpackage ?? true
      ? [
        "%package data",
        "Summary: Data files",
        "BuildArch: noarch",
        "%description data",
        "Data for the test package.",
        "%files data",
        `/usr/share/${spec.name}/data.txt`
      ]
      : []),
    "%install",
    `mkdir -p %{buildroot}/usr/share/${spec.name} %{buildroot}/usr/lib/${spec.name}`,
    ...(spec.dataSubpackage ?? true ? [`echo data > %{buildroot}/usr/share/${spec.name}/data.txt`] : []),
    spec.payloadBytes
      ? `head -c ${spec.payloadBytes} /dev/urandom > %{buildroot}/usr/lib/${spec.name}/blob`
      : `echo lib > %{buildroot}/usr/lib/${spec.name}/blob`,
    "%files",
    `/usr/lib/${spec.name}/blob`,
    "%changelog",
    "* Tue Jan 02 2024 Second Person <second@example.com> - 1.0-2",
    "- second entry",
    "* Mon Jan 01 2024 First Person <first@example.com> - 1.0-1",
    "- first entry"
  ]
  return lines.join("\n") + "\n"
}

/** Build the source and binary packages of `spec` in a new temporary directory (removed with the scope). */
export const build = (spec: Spec) =>
  Effect.acquireRelease(
    Effect.sync((): Built => {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-ts-rpm-"))
      const specFile = Path.join(dir, `${spec.name}.spec`)
      Fs.writeFileSync(specFile, specText(spec))
      ChildProcess.execFileSync(
        "rpmbuild",
        ["-ba", "--nodeps", "--define", `_topdir ${dir}/top`, "--define", "_source_payload w2.gzdio", specFile],
        { stdio: "pipe" }
      )
      const found = (sub: string): Array<string> => {
        const root = Path.join(dir, "top", sub)
        if (!Fs.existsSync(root)) return []
        return (Fs.readdirSync(root, { recursive: true }) as Array<string>)
          .filter((f) => f.endsWith(".rpm"))
          .map((f) => Path.join(root, f))
          .sort()
      }
      return { dir, srpm: found("SRPMS")[0]!, rpms: found("RPMS") }
    }),
    (built) => Effect.sync(() => Fs.rmSync(built.dir, { recursive: true, force: true }))
  )

/** `rpm -qp --qf FORMAT FILE`. */
export const query = (file: string, format: string): string =>
  ChildProcess.execFileSync("rpm", ["-qp", "--nosignature", "--nodigest", "--qf", format, file], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"]
  })

/** Put a local file into the hub's store at `path`. */
export const put = (path: string, file: string) =>
  Effect.flatMap(FileStore, (store) => store.writeFile(path, new Uint8Array(Fs.readFileSync(file))))

/**
 * Build `name-1.0-1` (with `epoch`) and import its SRPM and RPMs as `koji import` does: each put
 * under `work/cli-import/<name>/`, then `importRPM`. Answers the packages, their RPM ids by file,
 * and the build's id.
 */
export const imported = (admin: KojiClient.Client, name: string, epoch?: number) =>
  Effect.gen(function*() {
    const built = yield* build({ name, version: "1.0", release: "1", epoch })
    const ids = new Map<string, number>()
    let buildId = 0
    for (const file of [built.srpm, ...built.rpms]) {
      const base = Path.basename(file)
      yield* put(`work/cli-import/${name}/${base}`, file)
      const rpm = yield* admin.importRPM({ path: `cli-import/${name}`, basename: base })
      ids.set(file, rpm.id)
      buildId = rpm.build_id!
    }
    return { built, ids, buildId }
  })
