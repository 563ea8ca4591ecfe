/**
 * What `taskinfo` (and `resubmit`) prints about a task, as Koji's
 * `_printTaskInfo`: type, request parameters (`-v`), owner, state, times, host,
 * build, buildroots, log and output files, and with `-r` the children, each level
 * indented two more spaces; and the same facts as JSON.
 *
 * @since 0.1.0
 */
import { Effect, Option } from "effect"
import * as Errors from "../domain/Errors.js"
import * as Format from "./Format.js"
import { type CliError, print, Session, type SessionShape } from "./Session.js"
import { asctime, buildLabel, decodeArgs, pyStr, stateName, taskLabel } from "./TaskLabel.js"
import { listTaskOutput, optionalCall, taskDir, type TaskInfo } from "./TaskWatcher.js"

const BUILDDIR = "/var/lib/mock"

type Dict = Record<string, unknown>

const isDict = (value: unknown): value is Dict => typeof value === "object" && value !== null && !Array.isArray(value)

// Python's dict iteration: the keys in the order the hub sent them
const handleMap = (lines: Array<string>, data: unknown, prefix = "") => {
  if (!isDict(data)) return
  for (const [key, value] of Object.entries(data)) {
    if (key !== "__starstar") lines.push(`  ${prefix}${key}: ${pyStr(value)}`)
  }
}

const handleOpts = (lines: Array<string>, opts: unknown, prefix = "") => {
  if (isDict(opts) ? Object.keys(opts).length > 0 : Boolean(opts)) {
    lines.push(`${prefix}Options:`)
    handleMap(lines, opts, prefix)
  }
}

const call = (method: string, payload: Readonly<Record<string, unknown>>) =>
  Effect.flatMap(Session, (s) => s.call(method, payload) as Effect.Effect<any, CliError>)

const tagName = (tag: unknown) => Effect.map(call("getTag", { tagInfo: tag }), (t) => t === null ? null : String(t.name))

// Koji's _do_parseTaskParams: the request's arguments, line by line, for the methods it knows
const parseLines = (method: string, params: ReadonlyArray<any>, topdir: string) =>
  Effect.gen(function*() {
    const lines: Array<string> = []
    const p = params
    const named = (names: ReadonlyArray<string>, optsAt: number) => {
      names.forEach((n, i) => {
        if (i < p.length) lines.push(`${n}: ${pyStr(p[i])}`)
      })
      if (p.length > optsAt) handleOpts(lines, p[optsAt])
    }
    switch (method) {
      case "buildSRPMFromCVS":
        lines.push(`CVS URL: ${pyStr(p[0])}`)
        break
      case "buildSRPMFromSCM":
        lines.push(`SCM URL: ${pyStr(p[0])}`)
        break
      case "buildArch": {
        lines.push(`SRPM: ${topdir}/work/${pyStr(p[0])}`)
        const name = yield* tagName(p[1])
        lines.push(`Build Tag: ${name ?? `${pyStr(p[1])} (deleted)`}`)
        lines.push(`Build Arch: ${pyStr(p[2])}`)
        lines.push(`SRPM Kept: ${Format.repr(p[3])}`)
        if (p.length > 4) handleOpts(lines, p[4])
        break
      }
      case "tagBuild": {
        const build = yield* call("getBuild", { buildInfo: p[1] })
        lines.push(`Destination Tag: ${(yield* call("getTag", { tagInfo: p[0] })).name}`)
        lines.push(`Build: ${buildLabel(build)}`)
        break
      }
      case "buildNotification":
        lines.push(`Recipients: ${(p[0] as Array<unknown>).map(pyStr).join(", ")}`)
        lines.push(`Build: ${buildLabel(p[1])}`)
        lines.push(`Build Target: ${pyStr(p[2].name)}`)
        lines.push(`Web URL: ${pyStr(p[3])}`)
        break
      case "build":
        lines.push(`Source: ${pyStr(p[0])}`)
        lines.push(`Build Target: ${pyStr(p[1])}`)
        if (p.length > 2) handleOpts(lines, p[2])
        break
      case "maven":
        lines.push(`SCM URL: ${pyStr(p[0])}`)
        lines.push(`Build Target: ${pyStr(p[1])}`)
        if (p.length > 2) handleOpts(lines, p[2])
        break
      case "buildMaven":
        lines.push(`SCM URL: ${pyStr(p[0])}`)
        lines.push(`Build Tag: ${pyStr(p[1].name)}`)
        if (p.length > 2) handleOpts(lines, p[2])
        break
      case "wrapperRPM":
        lines.push(`Spec File URL: ${pyStr(p[0])}`)
        lines.push(`Build Tag: ${pyStr(p[1].name)}`)
        if (p[2]) lines.push(`Build: ${buildLabel(p[2])}`)
        if (p[3]) lines.push(`Task: ${pyStr(p[3].id)} ${taskLabel(p[3])}`)
        if (p.length > 4) handleOpts(lines, p[4])
        break
      case "chainmaven":
        lines.push("Builds:")
        for (const [pkg, opts] of Object.entries(p[0] as Dict)) {
          lines.push(`  ${pkg}`)
          handleMap(lines, opts, "  ")
        }
        lines.push(`Build Target: ${pyStr(p[1])}`)
        if (p.length > 2) handleOpts(lines, p[2])
        break
      case "winbuild":
        lines.push(`VM: ${pyStr(p[0])}`, `SCM URL: ${pyStr(p[1])}`, `Build Target: ${pyStr(p[2])}`)
        if (p.length > 3) handleOpts(lines, p[3])
        break
      case "vmExec":
        lines.push(`VM: ${pyStr(p[0])}`, "Exec Params:")
        for (const info of p[1] as Array<unknown>) {
          if (isDict(info)) handleMap(lines, info, "  ")
          else lines.push(`  ${pyStr(info)}`)
        }
        if (p.length > 2) handleOpts(lines, p[2])
        break
      case "createLiveCD":
      case "createAppliance":
      case "createLiveMedia":
        named(["Name", "Version", "Release", "Arch", "Target Info", "Build Tag", "Repo", "Kickstart File"], 8)
        break
      case "appliance":
      case "livecd":
      case "livemedia":
        named(["Name", "Version", "Arches", "Target", "Kickstart"], 5)
        break
      case "newRepo":
        lines.push(`Tag: ${(yield* call("getTag", { tagInfo: p[0] })).name}`)
        break
      case "prepRepo":
        lines.push(`Tag: ${pyStr(p[0].name)}`)
        break
      case "createrepo":
        lines.push(`Repo ID: ${Math.trunc(p[0])}`, `Arch: ${pyStr(p[1])}`)
        if (p[2]) {
          lines.push(`Old Repo ID: ${Math.trunc(p[2].id)}`)
          lines.push(`Old Repo Creation: ${Format.formatTimeLong(p[2].create_ts)}`)
        }
        if (p.length > 3) {
          lines.push(`External Repos: ${(p[3] as Array<Dict>).map((e) => pyStr(e["external_repo_name"])).join(", ")}`)
        }
        break
      case "tagNotification": {
        const dest = yield* call("getTag", { tagInfo: p[2] })
        const src = p[3] ? yield* call("getTag", { tagInfo: p[3] }) : null
        const build = yield* call("getBuild", { buildInfo: p[4] })
        const user = yield* call("getUser", { userInfo: p[5] })
        lines.push(`Recipients: ${(p[0] as Array<unknown>).map(pyStr).join(", ")}`)
        lines.push(`Successful?: ${p[1] ? "yes" : "no"}`)
        lines.push(`Tagged Into: ${dest.name}`)
        if (src) lines.push(`Moved From: ${src.name}`)
        lines.push(`Build: ${buildLabel(build)}`, `Tagged By: ${user.name}`)
        lines.push(`Ignore Success?: ${p[6] ? "yes" : "no"}`)
        if (p[7]) lines.push(`Failure Message: ${pyStr(p[7])}`)
        break
      }
      case "dependantTask":
        lines.push(`Dependant Tasks: ${(p[0] as Array<unknown>).map(pyStr).join(", ")}`, "Subtasks:")
        for (const subtask of p[1] as Array<Array<unknown>>) {
          lines.push(`  Method: ${pyStr(subtask[0])}`)
          lines.push(`  Parameters: ${(subtask[1] as Array<unknown>).map(pyStr).join(", ")}`)
          if (subtask.length > 2 && subtask[2]) handleOpts(lines, subtask[2], "  ")
          lines.push("")
        }
        break
      case "chainbuild":
        lines.push("Build Groups:")
        ;(p[0] as Array<Array<string>>).forEach((group, i) => lines.push(`  ${i + 1}: ${group.join(", ")}`))
        lines.push(`Build Target: ${pyStr(p[1])}`)
        if (p.length > 2) handleOpts(lines, p[2])
        break
      case "waitrepo":
        lines.push(`Build Target: ${pyStr(p[0])}`)
        if (p[1]) lines.push(`Newer Than: ${pyStr(p[1])}`)
        if (p[2]) lines.push(`NVRs: ${(p[2] as Array<string>).join(", ")}`)
        break
    }
    return lines
  })

/**
 * Koji's `_parseTaskParams`: the lines of "Request Parameters", or `Unable to parse
 * task parameters` when the request does not fit the method.
 *
 * @since 0.1.0
 * @category formatting
 */
export const requestLines = (
  method: string,
  request: unknown,
  topdir: string
): Effect.Effect<ReadonlyArray<string>, never, Session> =>
  Effect.suspend(() => parseLines(method, Array.isArray(request) ? request : [], topdir)).pipe(
    Effect.catchAllDefect(() => Effect.succeed(["Unable to parse task parameters"])),
    Effect.catchAll(() => Effect.succeed(["Unable to parse task parameters"]))
  )

/**
 * The facts `taskinfo` prints about one task.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskFacts {
  readonly info: TaskInfo
  readonly owner: string
  readonly host: string | null
  readonly build: { readonly nvr: string; readonly build_id: number } | null
  readonly buildroots: ReadonlyArray<string>
  readonly logs: ReadonlyArray<string>
  readonly output: ReadonlyArray<string>
  readonly request: ReadonlyArray<string>
}

const facts = (session: SessionShape, taskId: number, topdir: string, verbose: boolean) =>
  Effect.gen(function*() {
    const info = (yield* session.call("getTaskInfo", { task_id: taskId, request: true })) as TaskInfo | null
    if (info === null) return yield* new Errors.GenericError({ message: `No such task: ${taskId}` })
    const host = info.host_id ? ((yield* session.call("getHost", { hostInfo: info.host_id })) as { name: string } | null) : null
    const roots = Option.getOrElse(
      yield* optionalCall(session, "listBuildroots", { taskID: taskId }, [{ __starstar: true, taskID: taskId }]),
      () => []
    ) as ReadonlyArray<{ tag_name: string; id: number; repo_id: number }>
    const builds = (yield* session.call("listBuilds", { taskID: taskId })) as ReadonlyArray<{ nvr: string; build_id: number }>
    const files = yield* listTaskOutput(session, taskId)
    const logs: Array<string> = []
    const output: Array<string> = []
    for (const [name, volumes] of Object.entries(files)) {
      for (const volume of volumes) (name.endsWith(".log") ? logs : output).push(`${taskDir(topdir, taskId, volume)}/${name}`)
    }
    const owner = (yield* session.call("getUser", { userInfo: info.owner })) as { name: string } | null
    return {
      info,
      owner: owner?.name ?? String(info.owner),
      host: host?.name ?? null,
      build: builds[0] === undefined ? null : { nvr: builds[0].nvr, build_id: builds[0].build_id },
      buildroots: roots.map((r) => `${BUILDDIR}/${r.tag_name}-${r.id}-${r.repo_id}/`),
      logs,
      output,
      request: verbose ? yield* requestLines(info.method, info.request, topdir) : []
    } satisfies TaskFacts
  })

const children = (session: SessionShape, taskId: number) =>
  Effect.map(
    session.call("getTaskChildren", { task_id: taskId, request: true }),
    (list) => [...(list as ReadonlyArray<TaskInfo>)].sort((a, b) => a.id - b.id)
  )

/**
 * Koji's `_printTaskInfo(session, task_id, topdir, level, recurse, verbose)`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const printTaskInfo = (
  taskId: number,
  options: { readonly topdir: string; readonly level?: number; readonly recurse: boolean; readonly verbose: boolean }
): Effect.Effect<void, CliError, Session> =>
  Effect.gen(function*() {
    const session = yield* Session
    const level = options.level ?? 0
    const indent = " ".repeat(2 * level)
    const out = (line: string) => print(`${indent}${line}`)
    const f = yield* facts(session, taskId, options.topdir, options.verbose)
    yield* out(`Task: ${taskId}`)
    yield* out(`Type: ${f.info.method}`)
    if (options.verbose) {
      yield* out("Request Parameters:")
      for (const line of f.request) yield* out(`  ${line}`)
    }
    yield* out(`Owner: ${f.owner}`)
    yield* out(`State: ${stateName(f.info.state).toLowerCase()}`)
    yield* out(`Created: ${asctime(f.info["create_ts"] as number)}`)
    if (f.info["start_ts"]) yield* out(`Started: ${asctime(f.info["start_ts"] as number)}`)
    if (f.info["completion_ts"]) yield* out(`Finished: ${asctime(f.info["completion_ts"] as number)}`)
    if (f.host !== null) yield* out(`Host: ${f.host}`)
    if (f.build !== null) yield* out(`Build: ${f.build.nvr} (${f.build.build_id})`)
    if (f.buildroots.length > 0) {
      yield* out("Buildroots:")
      for (const root of f.buildroots) yield* out(`  ${root}`)
    }
    yield* out("Log Files:")
    if (f.logs.length > 0) for (const log of f.logs) yield* out(`  ${log}`)
    else yield* out("  No outputs reported [1]")
    yield* out("Output:")
    if (f.output.length > 0) for (const file of f.output) yield* out(`  ${file}`)
    else yield* out("  No outputs reported [1]")
    if (f.logs.length === 0 || f.output.length === 0) {
      yield* out("[1] Not all tasks produce outputs, and task outputs are not retained indefinitely.")
    }
    yield* print("")
    if (options.recurse) {
      for (const child of yield* children(session, taskId)) {
        yield* printTaskInfo(child.id, { ...options, level: level + 1 })
      }
    }
  })

/**
 * The same facts as JSON (`taskinfo --json`): the task row with its label, owner
 * and host names, decoded request, build, buildroots and files, and with
 * `recurse` its `children`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const taskInfoJson = (
  taskId: number,
  options: { readonly topdir: string; readonly recurse: boolean; readonly verbose: boolean }
): Effect.Effect<Dict, CliError, Session> =>
  Effect.gen(function*() {
    const session = yield* Session
    const f = yield* facts(session, taskId, options.topdir, options.verbose)
    const [args, opts] = decodeArgs(Array.isArray(f.info.request) ? f.info.request : [])
    const out: Dict = {
      ...f.info,
      label: taskLabel(f.info),
      state_name: stateName(f.info.state),
      owner_name: f.owner,
      host_name: f.host,
      request: args,
      request_opts: opts,
      build: f.build,
      buildroots: f.buildroots,
      logs: f.logs,
      output: f.output
    }
    if (options.verbose) out["request_lines"] = f.request
    if (options.recurse) {
      const list: Array<Dict> = []
      for (const child of yield* children(session, taskId)) list.push(yield* taskInfoJson(child.id, options))
      out["children"] = list
    }
    return out
  })
