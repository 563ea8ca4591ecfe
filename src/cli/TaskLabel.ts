/**
 * How Koji's CLI names a task: `koji.taskLabel` (`build (f40, /rpms/bash.git:main)`,
 * `sleep (noarch)`), with the task-parameter signatures it reads requests with
 * (`parse_task_params`), `koji.buildLabel`, Python's `str()` of decoded values
 * and the task states' names.
 *
 * @since 0.1.0
 */
import { TaskState } from "../domain/Enums.js"
import * as Format from "./Format.js"

/**
 * A task as the hub answers it (wire form): the fields a label needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskLike {
  readonly method: string
  readonly arch: string
  readonly request?: unknown
}

/**
 * `koji.TASK_STATES[n]`, or `BADSTATE` (what `print_task` shows for an unknown number).
 *
 * @since 0.1.0
 * @category formatting
 */
export const stateName = (state: number): string => TaskState.name(state) ?? "BADSTATE"

/**
 * Whether a state is final (CLOSED, CANCELED, FAILED).
 *
 * @since 0.1.0
 * @category formatting
 */
export const isFinal = (state: number): boolean =>
  state === TaskState.CLOSED || state === TaskState.CANCELED || state === TaskState.FAILED

/**
 * Python's `str()` of a decoded value: strings as they are, the rest as `repr`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const pyStr = (value: unknown): string => (typeof value === "string" ? value : Format.repr(value))

const isDict = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// an argspec as Python's getargspec: names, *varargs, **varkw, defaults of the last names
type Argspec = readonly [ReadonlyArray<string>, string | null, string | null, ReadonlyArray<unknown> | null]

const spec = (
  names: ReadonlyArray<string>,
  defaults: ReadonlyArray<unknown> | null = null,
  varargs: string | null = null,
  varkw: string | null = null
): Argspec => [names, varargs, varkw, defaults]

const images = ["name", "version", "release", "arch", "target_info", "build_tag", "repo_info"]

/**
 * The argument names of Koji's task methods (`koji.tasks.LEGACY_SIGNATURES`).
 *
 * @since 0.1.0
 * @category constants
 */
export const signatures: Readonly<Record<string, ReadonlyArray<Argspec>>> = {
  chainbuild: [spec(["srcs", "target", "opts"], [null])],
  waitrepo: [spec(["tag", "newer_than", "nvrs", "min_event"], [null, null, null])],
  createLiveMedia: [spec([...images, "ksfile", "opts"], [null])],
  createAppliance: [spec([...images, "ksfile", "opts"], [null])],
  createLiveCD: [spec([...images, "ksfile", "opts"], [null])],
  createImage: [spec([...images, "inst_tree", "opts"], [null])],
  livecd: [spec(["name", "version", "arch", "target", "ksfile", "opts"], [null])],
  appliance: [spec(["name", "version", "arch", "target", "ksfile", "opts"], [null])],
  livemedia: [spec(["name", "version", "arches", "target", "ksfile", "opts"], [null])],
  image: [spec(["name", "version", "arches", "target", "inst_tree", "opts"], [null])],
  indirectionimage: [spec(["opts"])],
  buildNotification: [spec(["recipients", "build", "target", "weburl"])],
  buildMaven: [spec(["url", "build_tag", "opts"], [null])],
  build: [spec(["src", "target", "opts"], [null])],
  buildSRPMFromSCM: [spec(["url", "build_tag", "opts"], [null])],
  rebuildSRPM: [spec(["srpm", "build_tag", "opts"], [null])],
  createrepo: [spec(["repo_id", "arch", "oldrepo"])],
  wrapperRPM: [spec(["spec_url", "build_target", "build", "task", "opts"], [null])],
  tagBuild: [spec(["tag_id", "build_id", "force", "fromtag", "ignore_success"], [false, null, false])],
  chainmaven: [spec(["builds", "target", "opts"], [null])],
  newRepo: [
    spec(["tag", "event", "src", "debuginfo", "separate_src"], [null, false, false, false]),
    spec(["tag", "event", "src", "debuginfo", "separate_src", "opts"], [null, null, null, null, null])
  ],
  tagNotification: [
    spec(
      ["recipients", "is_successful", "tag_info", "from_info", "build_info", "user_info", "ignore_success", "failure_msg"],
      [null, ""]
    )
  ],
  buildArch: [spec(["pkg", "root", "arch", "keep_srpm", "opts"], [null])],
  maven: [spec(["url", "target", "opts"], [null])],
  waittest: [spec(["count", "seconds"], [10])],
  default: [spec([], null, "args", "opts")],
  shutdown: [spec([])],
  restartVerify: [spec(["task_id", "host"])],
  someMethod: [spec([], null, "args")],
  restart: [spec(["host"])],
  fork: [spec(["n", "m"], [5, 37])],
  sleep: [spec(["n"])],
  dependantTask: [spec(["wait_list", "task_list"])],
  subtask: [spec(["n"], [4])],
  restartHosts: [spec(["options"], [null])],
  runroot: [
    spec(
      ["root", "arch", "command", "keep", "packages", "mounts", "repo_id", "skip_setarch", "weight", "upload_logs", "new_chroot"],
      [false, [], [], null, false, null, null, false]
    )
  ],
  distRepo: [spec(["tag", "repo_id", "keys", "task_opts"])],
  createdistrepo: [spec(["tag", "repo_id", "arch", "keys", "opts"])],
  saveFailedTree: [spec(["buildrootID", "full"], [false])],
  vmExec: [spec(["name", "task_info", "opts"])],
  winbuild: [spec(["name", "source_url", "target", "opts"])]
}

/**
 * `koji.decode_args`: the positional arguments, and the keywords of a trailing
 * `__starstar` struct.
 *
 * @since 0.1.0
 * @category combinators
 */
export const decodeArgs = (params: ReadonlyArray<unknown>): [ReadonlyArray<unknown>, Record<string, unknown>] => {
  const last = params[params.length - 1]
  if (isDict(last) && last["__starstar"]) {
    const { __starstar: _, ...opts } = last
    return [params.slice(0, -1), opts]
  }
  return [params, {}]
}

// koji.util.apply_argspec: the arguments by name, or the reason they do not fit
const applyArgspec = (
  [names, varargs, varkw, defaults]: Argspec,
  args: ReadonlyArray<unknown>,
  kwargs: Readonly<Record<string, unknown>>
): Record<string, unknown> | string => {
  const data: Record<string, unknown> = {}
  names.forEach((name, i) => {
    if (i < args.length) data[name] = args[i]
  })
  if (args.length > names.length) {
    if (varargs === null) return "too many args"
    data[varargs] = args.slice(names.length)
  } else if (varargs !== null) {
    data[varargs] = []
  }
  if (varkw !== null) data[varkw] = {}
  for (const [key, value] of Object.entries(kwargs)) {
    if (Object.hasOwn(data, key)) return `duplicate keyword argument '${key}'`
    if (names.includes(key)) data[key] = value
    else if (varkw === null) return `unexpected keyword argument '${key}'`
    else (data[varkw] as Record<string, unknown>)[key] = value
  }
  if (defaults !== null) {
    const first = names.length - defaults.length
    defaults.forEach((value, i) => {
      if (!Object.hasOwn(data, names[first + i]!)) data[names[first + i]!] = value
    })
  }
  for (const [n, name] of names.entries()) {
    if (!Object.hasOwn(data, name)) return `missing required argument '${name}' (#${n})`
  }
  return data
}

/**
 * What `parse_task_params` makes of a request: the arguments by name, `unknown`
 * for a method with no known signature, or `invalid` with the reason.
 *
 * @since 0.1.0
 * @category models
 */
export type ParsedParams =
  | { readonly _tag: "params"; readonly params: Record<string, unknown> }
  | { readonly _tag: "unknown" }
  | { readonly _tag: "invalid"; readonly message: string }

/**
 * Koji's `parse_task_params(method, params)`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const parseTaskParams = (method: string, request: unknown): ParsedParams => {
  const params = Array.isArray(request) ? request : []
  const first = params[0]
  if (params.length === 1 && isDict(first) && "__method__" in first) {
    const { __method__: _, ...rest } = first
    return { _tag: "params", params: rest }
  }
  const [args, kwargs] = decodeArgs(params)
  const specs = signatures[method]
  if (specs === undefined) return { _tag: "unknown" }
  let error: string | undefined
  for (const argspec of specs) {
    const applied = applyArgspec(argspec, args, kwargs)
    if (typeof applied !== "string") return { _tag: "params", params: applied }
    error ??= applied
  }
  return { _tag: "invalid", message: `Invalid signature for ${method}: ${error}` }
}

/**
 * `koji.buildLabel`: `name-version-release` (with `epoch:` when asked).
 *
 * @since 0.1.0
 * @category formatting
 */
export const buildLabel = (build: Readonly<Record<string, unknown>>, showEpoch = false): string => {
  const epoch = build["epoch"]
  const name = build["package_name"] || build["name"]
  return `${showEpoch && epoch != null ? `${epoch}:` : ""}${pyStr(name)}-${pyStr(build["version"])}-${pyStr(build["release"])}`
}

/**
 * Koji's `_module_info`: an SCM URL shortened to `<repo path>[:<module>]:<rev>`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const moduleInfo = (url: string): string => {
  const question = url.indexOf("?")
  const hash = url.indexOf("#")
  // Python slices: a -1 end drops the last character
  const slice = (from: number, to: number) => url.slice(from, to < 0 ? url.length + to : to)
  const module = question === -1 ? "" : slice(question + 1, hash)
  const repoStart = url.indexOf("/", url.indexOf("://") + 3)
  const repo = slice(repoStart, question !== -1 ? question : hash)
  const rev = url.slice(hash + 1)
  return module ? `${repo}:${module}:${rev}` : `${repo}:${rev}`
}

const basename = (path: string) => path.slice(path.lastIndexOf("/") + 1)

const nameOf = (value: unknown): string => (isDict(value) ? pyStr(value["name"]) : pyStr(value))

// the part in parentheses, when the method has one
const extraOf = (method: string, p: Record<string, unknown>): string => {
  switch (method) {
    case "build":
    case "maven": {
      const src = p["src"] || p["url"]
      if (typeof src !== "string") throw new TypeError("no source")
      const module = src.includes("://") ? moduleInfo(src) : basename(src)
      return `${nameOf(p["target"] || p["build_tag"])}, ${module}`
    }
    case "indirectionimage": {
      const opts = p["opts"] as Record<string, unknown>
      return `${pyStr(opts["name"])}, ${pyStr(opts["version"])}, ${pyStr(opts["release"])}`
    }
    case "buildSRPMFromSCM":
      return moduleInfo(p["url"] as string)
    case "buildArch":
      return `${basename(nameOf(p["pkg"]))}, ${pyStr(p["arch"])}`
    case "buildMaven":
      return pyStr((p["build_tag"] as Record<string, unknown>)["name"])
    case "wrapperRPM": {
      const target = pyStr((p["build_target"] as Record<string, unknown>)["name"])
      return p["build"] ? `${target}, ${buildLabel(p["build"] as Record<string, unknown>)}` : target
    }
    case "winbuild":
      return `${nameOf(p["target"])}, ${moduleInfo(p["source_url"] as string)}`
    case "vmExec":
      return pyStr(p["name"])
    case "buildNotification":
      return buildLabel(p["build"] as Record<string, unknown>)
    case "newRepo":
    case "distRepo":
      return nameOf(p["tag"])
    case "createrepo":
      return pyStr(p["arch"])
    case "createdistrepo":
      return `${pyStr(p["repo_id"])}, ${pyStr(p["arch"])}`
    case "dependantTask":
      return (p["task_list"] as ReadonlyArray<ReadonlyArray<unknown>>).map((t) => pyStr(t[0])).join(", ")
    case "chainbuild":
    case "chainmaven":
      return nameOf(p["target"])
    case "waitrepo": {
      const nvrs = p["nvrs"]
      return nameOf(p["tag"]) + (Array.isArray(nvrs) ? `, ${nvrs.map(pyStr).join(", ")}` : "")
    }
    case "livecd":
    case "appliance":
    case "image":
    case "livemedia": {
      const start = p["ksfile"] || p["inst_tree"]
      const arch = p["arch"] || p["arches"]
      return `${pyStr(arch)}, ${pyStr(p["name"])}-${pyStr(p["version"])}, ${pyStr(start)}`
    }
    case "createLiveCD":
    case "createAppliance":
    case "createImage":
    case "createLiveMedia": {
      const start = p["ksfile"] || p["inst_tree"]
      return `${pyStr((p["target_info"] as Record<string, unknown>)["name"])}, ` +
        `${pyStr(p["name"])}-${pyStr(p["version"])}-${pyStr(p["release"])}, ${pyStr(start)}, ${pyStr(p["arch"])}`
    }
    case "restart":
    case "restartVerify":
      return pyStr((p["host"] as Record<string, unknown>)["name"])
    default:
      return ""
  }
}

/**
 * `koji.taskLabel(info)`: `<method> (<what it works on>)`, else `<method> (<arch>)`;
 * `<method> (<arch>, unknown args)` when the request does not fit the method, and
 * `malformed task` when it cannot be read.
 *
 * @since 0.1.0
 * @category formatting
 */
export const taskLabel = (task: TaskLike): string => {
  try {
    const parsed = parseTaskParams(task.method, task.request)
    if (parsed._tag === "invalid") return `${task.method} (${task.arch}, unknown args)`
    const extra = parsed._tag === "params" ? extraOf(task.method, parsed.params) : ""
    return `${task.method} (${extra || task.arch})`
  } catch {
    return "malformed task"
  }
}

const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
const pad2 = (n: number) => String(n).padStart(2, "0")

/**
 * Python's `time.asctime(time.localtime(ts))`: `Wed Jul  2 16:29:15 2025`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const asctime = (ts: number): string => {
  const d = new Date(ts * 1000)
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2)} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${d.getFullYear()}`
}

/**
 * Koji's `_format_ts` (scheduler-info): `25-07-02 16:29:15`, or empty for no time.
 *
 * @since 0.1.0
 * @category formatting
 */
export const shortTime = (ts: number | null | undefined): string => {
  if (!ts) return ""
  const d = new Date(ts * 1000)
  return `${pad2(d.getFullYear() % 100)}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`
}
