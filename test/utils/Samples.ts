/**
 * Where the recorded Koji traffic is: `KOJI_WIRE_SAMPLES`, else `shared/koji/wire-samples`
 * beside the checkout (as the developers' machines and CI lay it out).
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const candidates = [
  process.env.KOJI_WIRE_SAMPLES,
  fileURLToPath(new URL("../../../shared/koji/wire-samples", import.meta.url)),
  fileURLToPath(new URL("../../shared/koji/wire-samples", import.meta.url))
].filter((p): p is string => p !== undefined)

const found = candidates.find((p) => Fs.existsSync(Path.join(p, "README.md")))
if (found === undefined) {
  throw new Error(`the wire samples are not found (looked in ${candidates.join(", ")}); set KOJI_WIRE_SAMPLES`)
}

/** The samples directory, without a trailing slash. */
export const directory: string = found
