#!/usr/bin/env node
// The `koji-ts` command (package.json "bin"): runs apps/cli/main.ts, with no build step.
//
// The first run bundles main.ts and what it imports into one file with esbuild (the
// transpiler tsx itself uses) under node_modules/.cache/koji-ts (or the temp directory
// when that is not writable), and later runs load that file: that starts in about a
// second, where loading the TypeScript sources through tsx takes several. The bundle
// is rebuilt when one of its source files, or the installed packages, change.
// KOJI_TS_CLI_CACHE=0 (or no esbuild) runs the sources through tsx instead.
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import process from "node:process"
import { fileURLToPath, pathToFileURL } from "node:url"

const here = Path.dirname(fileURLToPath(import.meta.url))
const root = Path.resolve(here, "..", "..")
const entry = Path.join(here, "main.ts")
const debug = process.argv.slice(2).some((a) => a === "-d" || a === "--debug")

const cacheDirs = () => [
  Path.join(root, "node_modules", ".cache", "koji-ts"),
  Path.join(Os.tmpdir(), `koji-ts-cli-${typeof process.getuid === "function" ? process.getuid() : "user"}`)
]

// the bundle is fresh when none of its inputs changed since it was built
const isFresh = (dir) => {
  try {
    const manifest = JSON.parse(Fs.readFileSync(Path.join(dir, "cli.json"), "utf8"))
    if (manifest.entry !== entry) return false
    for (const [file, mtime] of Object.entries(manifest.inputs)) {
      if (Fs.statSync(file).mtimeMs !== mtime) return false
    }
    return Fs.existsSync(Path.join(dir, "cli.mjs"))
  } catch {
    return false
  }
}

const build = async (dir) => {
  const esbuild = await import("esbuild")
  Fs.mkdirSync(dir, { recursive: true })
  const tmp = Path.join(dir, `cli.${process.pid}.mjs`)
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: tmp,
    sourcemap: "linked",
    minify: true,
    keepNames: true,
    metafile: true,
    logLevel: "silent",
    external: ["bufferutil", "utf-8-validate"],
    banner: {
      js: "import { createRequire as __kojiTsRequire } from \"node:module\"; const require = __kojiTsRequire(import.meta.url);"
    }
  })
  // the inputs to watch: our sources, and the installed packages as a whole
  const inputs = {}
  for (const input of Object.keys(result.metafile.inputs)) {
    if (input.includes("node_modules/")) continue
    const file = Path.resolve(process.cwd(), input)
    inputs[file] = Fs.statSync(file).mtimeMs
  }
  for (const file of [Path.join(root, "node_modules", ".package-lock.json"), Path.join(root, "package.json")]) {
    if (Fs.existsSync(file)) inputs[file] = Fs.statSync(file).mtimeMs
  }
  Fs.renameSync(`${tmp}.map`, Path.join(dir, "cli.mjs.map"))
  const code = Fs.readFileSync(tmp, "utf8").replace(`cli.${process.pid}.mjs.map`, "cli.mjs.map")
  Fs.writeFileSync(tmp, code)
  Fs.renameSync(tmp, Path.join(dir, "cli.mjs"))
  const manifestTmp = Path.join(dir, `cli.${process.pid}.json`)
  Fs.writeFileSync(manifestTmp, JSON.stringify({ entry, inputs }))
  Fs.renameSync(manifestTmp, Path.join(dir, "cli.json"))
}

const bundled = async () => {
  if (process.env.KOJI_TS_CLI_CACHE === "0") return undefined
  for (const dir of cacheDirs()) {
    if (isFresh(dir)) return Path.join(dir, "cli.mjs")
  }
  for (const dir of cacheDirs()) {
    try {
      await build(dir)
      return Path.join(dir, "cli.mjs")
    } catch {
      // not writable, or no esbuild: try the next place, then tsx
    }
  }
  return undefined
}

const bundle = await bundled()
if (bundle !== undefined) {
  if (debug) process.setSourceMapsEnabled(true)
  await import(pathToFileURL(bundle).href)
} else {
  const { register } = await import("tsx/esm/api")
  register()
  await import(pathToFileURL(entry).href)
}
