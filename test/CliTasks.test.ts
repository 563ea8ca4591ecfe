/**
 * The task commands of the `koji-ts` CLI as a user runs them: the binary as a
 * subprocess against a hub started here, over `/api` (typed RPC, PGlite) and over
 * `/kojihub` (Koji's XML-RPC, PostgreSQL), through a scripted session of every
 * task and scheduler command with output and exit codes checked; `watch-task`
 * following a task that a test builder moves FREE -> ASSIGNED -> OPEN -> CLOSED
 * (printed as each change happens, not at a 6-second poll), a failed task, Ctrl-C,
 * and Koji's poll against a hub without an event stream.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { type Console, Effect, Fiber, Layer } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Cli from "../src/cli/Cli.js"
import * as Connection from "../src/cli/Connection.js"
import * as TaskLabel from "../src/cli/TaskLabel.js"
import { TaskState } from "../src/domain/Enums.js"
import * as TaskRequest from "../src/hub/TaskRequest.js"
import * as Builders from "./utils/Builders.js"
import { binPath, fault, harness, HubUrl, hubLayer, ok, profile, type Result, root } from "./utils/CliHarness.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"

// the hub over HTTP (its URL in `HubUrl`); the binary as a subprocess, in a home and /etc of our own
const { bin, binAll, childEnv, home, runOptions } = harness("koji-cli-tasks", { concurrency: 3 })

const bobPassword = "bob-tasks-password"

// profiles: `<t>` anonymous, `admin-<t>` and `bob-<t>` logged in, for t = api, xmlrpc
const writeConfig = (url: string) => {
  const profiles = (t: string, server: string) => [
    profile(t, { server }),
    profile(`admin-${t}`, { server, user: "admin", password: TestHub.adminPassword }),
    profile(`bob-${t}`, { server, user: "bob", password: bobPassword }),
    profile(`poll-${t}`, { server, poll_interval: 1 })
  ]
  Fs.mkdirSync(Path.join(home, ".koji"), { recursive: true })
  const file = Path.join(home, ".koji", "config")
  const existing = Fs.existsSync(file) ? Fs.readFileSync(file, "utf8") : ""
  const api = profiles("api", `${url}/api`)
  const xmlrpc = profiles("xmlrpc", `${url}/kojihub`)
  // each hub writes its own profiles (the last hub wins a profile name)
  const kept = existing.split(/\n(?=\[)/).filter((s) => s.trim() !== "" && !/^\[(admin-|bob-|poll-)?(api|xmlrpc)\]/.test(s))
  Fs.writeFileSync(file, [...kept, [...api, ...xmlrpc].join("\n")].join("\n"))
}

/** A running `koji-ts` we can watch line by line, interrupt, and wait for. */
interface Live {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  /** Wait until stdout matches (the time it matched, ms since the epoch). */
  readonly waitFor: (pattern: RegExp | string, timeoutMs?: number) => Effect.Effect<number, Error>
  readonly done: Effect.Effect<Result>
}

const live = (...args: ReadonlyArray<string>): Effect.Effect<Live> =>
  Effect.sync(() => {
    const child = spawn(process.execPath, [binPath, ...args], { cwd: root, env: childEnv(), stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    const seen: Array<() => void> = []
    let exit: Result | undefined
    const waiting: Array<(r: Result) => void> = []
    child.stdout!.on("data", (chunk) => {
      stdout += chunk
      for (const f of seen.splice(0)) f()
    })
    child.stderr!.on("data", (chunk) => stderr += chunk)
    child.on("close", (code) => {
      exit = { code, stdout, stderr }
      for (const f of waiting.splice(0)) f(exit)
      for (const f of seen.splice(0)) f()
    })
    const matches = (p: RegExp | string) => (typeof p === "string" ? stdout.includes(p) : p.test(stdout))
    const waitFor = (pattern: RegExp | string, timeoutMs = 20_000) =>
      Effect.async<number, Error>((resume) => {
        const check = () => {
          if (matches(pattern)) return resume(Effect.succeed(Date.now()))
          if (exit !== undefined) {
            return resume(Effect.fail(new Error(`exited before ${pattern}: ${JSON.stringify(exit)}`)))
          }
          seen.push(check)
        }
        const timer = setTimeout(
          () => resume(Effect.fail(new Error(`timed out waiting for ${pattern}; stdout so far:\n${stdout}\nstderr:\n${stderr}`))),
          timeoutMs
        )
        check()
        return Effect.sync(() => clearTimeout(timer))
      })
    const done = Effect.async<Result>((resume) => {
      if (exit !== undefined) return resume(Effect.succeed(exit))
      waiting.push((r) => resume(Effect.succeed(r)))
    })
    return { child, stdout: () => stdout, stderr: () => stderr, waitFor, done }
  })

const usage = (result: Result, message: string) => {
  expect(result.code).toBe(2)
  expect(result.stderr).toContain(`koji-ts: error: ${message}\n`)
}

/** A builder's `methodResponse` document of a value, and a fault document. */
const response = (value: unknown) => Effect.orDie(TaskRequest.encodeResult(value))
const failure = (code: number, text: string) => TaskRequest.encodeFailure(code, text)

const taskState = (id: number) =>
  Effect.flatMap(TestHub.client, (c) => Effect.map(c.getTaskInfo({ task_id: id }), (t: any) => t as { state: number; host_id: number | null; priority: number }))

const until = (id: number, done: (t: any) => boolean) =>
  Builders.eventually(Effect.flatMap(TestHub.client, (c) => c.getTaskInfo({ task_id: id })), done)

const idOf = (result: Result) => {
  const m = /^Created task id (\d+)\n$/.exec(result.stdout)
  if (m === null) throw new Error(`no task id in ${JSON.stringify(result)}`)
  return Number(m[1])
}

const row = (id: number, priority: number, owner: string, state: string, arch: string, name: string) =>
  `${String(id).padEnd(8)} ${String(priority).padEnd(4)} ${owner.padEnd(20)} ${state.padEnd(8)} ${arch.padEnd(10)} ${name}`

const header = "ID       Pri  Owner                State    Arch       Name"

const footnote = "[1] Not all tasks produce outputs, and task outputs are not retained indefinitely."

const time = String.raw`[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}`

// ---------------------------------------------------------------------------------------------

describe("task labels (koji.taskLabel)", () => {
  it("names a task by what it works on", () => {
    const label = (method: string, request: unknown, arch = "noarch") => TaskLabel.taskLabel({ method, arch, request })
    expect(label("build", ["git://pkgs.example.org/rpms/bash.git#abc123", "f40"])).toBe("build (f40, /rpms/bash.git:abc123)")
    expect(label("build", ["git+https://src.example.org/users/mikem/fake.git?subdir#master", "f40", { scratch: true }]))
      .toBe("build (f40, /users/mikem/fake.git:subdir:master)")
    expect(label("build", ["cli-build/1/foo-1.0-1.src.rpm", "f40"])).toBe("build (f40, foo-1.0-1.src.rpm)")
    expect(label("build", [{ __method__: "build", src: "x-1-1.src.rpm", target: "rawhide" }])).toBe("build (rawhide, x-1-1.src.rpm)")
    expect(label("buildArch", ["work/foo-1.0-1.src.rpm", 5, "x86_64", true, { repo_id: 3 }], "x86_64"))
      .toBe("buildArch (foo-1.0-1.src.rpm, x86_64)")
    expect(label("buildSRPMFromSCM", ["git://example.org/rpms/bash.git#v1", 5])).toBe("buildSRPMFromSCM (/rpms/bash.git:v1)")
    expect(label("newRepo", ["f40-build"])).toBe("newRepo (f40-build)")
    expect(label("newRepo", [{ name: "f40-build", id: 4 }, null, false, false, false, { __starstar: true }])).toBe("newRepo (f40-build)")
    expect(label("waitrepo", ["f40-build", null, ["a-1-1", "b-2-2"]])).toBe("waitrepo (f40-build, a-1-1, b-2-2)")
    expect(label("restart", [{ name: "builder-01" }])).toBe("restart (builder-01)")
    expect(label("dependantTask", [[1, 2], [["sleep", [1]], ["fork", []]]])).toBe("dependantTask (sleep, fork)")
    expect(label("createrepo", [7, "aarch64", null])).toBe("createrepo (aarch64)")
    expect(label("tagBuild", [1, 2])).toBe("tagBuild (noarch)")
    expect(label("sleep", [5, { __starstar: true }])).toBe("sleep (noarch)")
    // requests that do not fit the method; methods Koji does not know; unreadable ones
    expect(label("sleep", [])).toBe("sleep (noarch, unknown args)")
    expect(label("sleep", [1, 2])).toBe("sleep (noarch, unknown args)")
    expect(label("fork", [{ __starstar: true, x: 1 }])).toBe("fork (noarch, unknown args)")
    expect(label("myPluginMethod", [1], "s390x")).toBe("myPluginMethod (s390x)")
    expect(label("build", [null, "f40"])).toBe("malformed task")
    expect(TaskLabel.moduleInfo("https://example.org/repo.git#rev")).toBe("/repo.git:rev")
    // local time, as Python's time.asctime(time.localtime(ts)); noon UTC is the 5th in (almost) every zone
    const noon = Date.UTC(2024, 2, 5, 12, 0, 0) / 1000
    expect(TaskLabel.asctime(noon)).toMatch(/^Tue Mar {2}5 \d\d:00:00 2024$/)
    expect(TaskLabel.shortTime(noon)).toMatch(/^24-03-05 \d\d:00:00$/)
    expect(TaskLabel.shortTime(null)).toBe("")
  })
})

// ---------------------------------------------------------------------------------------------

// each transport on each database; the long scripted session once per transport (api on PGlite, xmlrpc on
// PostgreSQL), the watch tests everywhere (the stream and the long-polls on both databases)
const hubs = [
  ["api", "pglite", TestDatabases.pgliteMigrated(), true],
  ["xmlrpc", "postgres", Layer.suspend(() => TestDatabases.migrated[1]![1]), true],
  ["api", "postgres", Layer.suspend(() => TestDatabases.migrated[1]![1]), false],
  ["xmlrpc", "pglite", TestDatabases.pgliteMigrated(), false]
] as const

for (const [t, db, database, scripted] of hubs) {
  layer(hubLayer(database), { timeout: "300 seconds", excludeTestServices: true })(`CliTasks ${t} ${db}`, (it) => {
    const A = ["-p", `admin-${t}`]
    const B = ["-p", `bob-${t}`]
    const N = ["-p", t]
    const quiet = `s-${t}` // a channel no host is in: its tasks stay FREE
    const run = `run-${t}` // the channel of the builder host
    const host = `s-host-${t}`
    const other = `s-other-${t}`

    if (scripted) {
    it.scoped("a scripted session through every task and scheduler command", () =>
      Effect.gen(function*() {
        writeConfig(yield* HubUrl)
        const admin = yield* TestHub.admin
        yield* admin.addChannel({ channel_name: quiet })
        yield* admin.createUser({ username: "bob", password: bobPassword })
        const { client: builder, id: hostId } = yield* Builders.builder(host, {
          arches: ["x86_64"],
          channels: [run],
          data: { maxjobs: 3 }
        })
        yield* Builders.builder(other, { arches: ["x86_64"], ready: false })

        // make-task
        // one at a time: their ids in this order
        const made1 = yield* bin(...A, "make-task", "--channel", quiet, "--priority", "15", "sleep", "30")
        const made2 = yield* bin(...A, "make-task", "--channel", quiet, "--arch", "x86_64", "fork", "2", "3")
        const made3 = yield* bin(...A, "make-task", "--channel", quiet, "build", "git://pkgs.example.org/rpms/bash.git#abc123", "f40")
        const [byBob, noMethod, noChannel] = yield* binAll(
          [...B, "make-task", "sleep", "1"],
          [...A, "make-task"],
          [...A, "make-task", "--channel", "nosuch", "sleep", "1"]
        )
        const [x1, x2, x3] = [idOf(made1), idOf(made2), idOf(made3)]
        expect(made1.stderr + made2.stderr + made3.stderr).toBe("")
        fault(byBob, "ActionNotAllowed", "admin permission required (logged in as bob)")
        usage(noMethod, "Please specify task method at least")
        fault(noChannel, "GenericError", "No such channel: nosuch")
        expect(yield* taskState(x1)).toMatchObject({ state: TaskState.FREE, priority: 15 })

        // a tree: the builder opens a fork task and makes two children (that stay FREE: the host stops taking work)
        const p = yield* admin.makeTask({ method: "fork", arglist: [2], channel: run })
        yield* until(p, (x) => x.state === TaskState.ASSIGNED)
        yield* builder.host.openTask({ task_id: p })
        yield* builder.host.updateHost({ task_load: 1, ready: false, data: null })
        const c1 = yield* builder.host.subtask({ method: "sleep", arglist: [1], parent: p, label: "one" })
        const c2 = yield* builder.host.subtask({ method: "sleep", arglist: [2], parent: p, label: "two" })

        // list-tasks
        const [list, listQuiet, listJson, tree, noChannelList, noUser, none, allAlone, mineAndUser, anonymous, started] =
          yield* binAll(
            [...A, "list-tasks", "--channel", quiet],
            [...A, "-q", "list-tasks", "--channel", quiet],
            [...A, "list-tasks", "--channel", quiet, "--json"],
            [...A, "list-tasks", "--channel", run],
            [...A, "list-tasks", "--channel", "nosuch"],
            [...A, "list-tasks", "--user", "nobody"],
            [...A, "list-tasks", "--method", "nosuchmethod"],
            [...A, "list-tasks", "--all"],
            [...A, "list-tasks", "--mine", "--user", "admin"],
            [...N, "list-tasks"],
            [...A, "list-tasks", "--after", "2000-01-01 00:00", "--all", "--channel", run]
          )
        const quietRows = [
          row(x1, 15, "admin", "FREE", "noarch", "sleep (noarch)"),
          row(x2, 20, "admin", "FREE", "x86_64", "fork (x86_64)"),
          row(x3, 20, "admin", "FREE", "noarch", "build (f40, /rpms/bash.git:abc123)")
        ]
        ok(list, [header, ...quietRows, ""].join("\n"))
        ok(listQuiet, [...quietRows, ""].join("\n"))
        ok(listJson)
        expect(JSON.parse(listJson.stdout).map((x: any) => [x.id, x.request])).toEqual([
          [x1, [30]],
          [x2, [2, 3]],
          [x3, ["git://pkgs.example.org/rpms/bash.git#abc123", "f40"]]
        ])
        ok(tree, [
          header,
          row(p, 20, "admin", "OPEN", "noarch", "fork (noarch)"),
          row(c1, 19, "admin", "FREE", "noarch", " +sleep (noarch)"),
          row(c2, 19, "admin", "FREE", "noarch", " +sleep (noarch)"),
          ""
        ].join("\n"))
        expect(noChannelList).toEqual({ code: 1, stdout: "No such channel: nosuch\n", stderr: "" })
        expect(noUser).toEqual({ code: 1, stdout: "No such user: nobody\n", stderr: "" })
        ok(none, "(no tasks)\n")
        usage(allAlone, "--all must be used with --after")
        fault(mineAndUser, "GenericError", "Can't specify 'mine' and 'user' in same time")
        expect(anonymous).toMatchObject({ code: 1, stderr: "Unable to log in, no authentication methods available\n" })
        ok(started, [header, row(p, 20, "admin", "OPEN", "noarch", "fork (noarch)"), ""].join("\n"))

        // taskinfo
        const [info, recursive, verbose, infoJson, noTask, notInt, noArgs] = yield* binAll(
          [...N, "taskinfo", String(p)],
          [...N, "taskinfo", String(p), "-r"],
          [...N, "taskinfo", "-v", String(x3)],
          [...N, "taskinfo", "--json", "-r", String(p)],
          [...N, "taskinfo", "999999"],
          [...N, "taskinfo", "x"],
          [...N, "taskinfo"]
        )
        const block = (id: number, method: string, state: string, extra: ReadonlyArray<string>, indent = "") =>
          [
            `Task: ${id}`,
            `Type: ${method}`,
            "Owner: admin",
            `State: ${state}`,
            `Created: ${time}`,
            ...extra,
            "Log Files:",
            "  No outputs reported \\[1\\]",
            "Output:",
            "  No outputs reported \\[1\\]",
            footnote.replace(/[.[\]]/g, "\\$&")
          ].map((l) => indent + l).join("\n") + "\n\n"
        const parentBlock = block(p, "fork", "open", [`Started: ${time}`, `Host: ${host}`])
        ok(info, new RegExp(`^${parentBlock}$`))
        ok(
          recursive,
          new RegExp(`^${parentBlock}${block(c1, "sleep", "free", [], "  ")}${block(c2, "sleep", "free", [], "  ")}$`)
        )
        ok(verbose)
        expect(verbose.stdout).toContain(
          `Task: ${x3}\nType: build\nRequest Parameters:\n  Source: git://pkgs.example.org/rpms/bash.git#abc123\n` +
            "  Build Target: f40\nOwner: admin\nState: free\n"
        )
        ok(infoJson)
        const parsed = JSON.parse(infoJson.stdout)
        expect(parsed[0]).toMatchObject({ id: p, method: "fork", label: "fork (noarch)", owner_name: "admin", host_name: host })
        expect(parsed[0].children.map((c: any) => [c.id, c.label, c.state_name])).toEqual([
          [c1, "sleep (noarch)", "FREE"],
          [c2, "sleep (noarch)", "FREE"]
        ])
        fault(noTask, "GenericError", "No such task: 999999")
        fault(notInt, "ValueError", "invalid literal for int() with base 10: 'x'")
        usage(noArgs, "You must specify at least one task ID")

        // why, assign-task, free-task
        const [why, whyNone] = yield* binAll([...N, "why", String(x1)], [...N, "why", "999999"])
        ok(why, `no enabled host in channel ${quiet}\n`)
        expect(whyNone.code).toBe(1)
        const [assigned, noHost, noSuchTask, bobAssign, oneArg] = yield* binAll(
          [...A, "assign-task", String(x1), host],
          [...A, "assign-task", String(x1), "nosuchhost"],
          [...A, "assign-task", "999999", host],
          [...B, "assign-task", String(x1), host],
          [...A, "assign-task", String(x1)]
        )
        ok(assigned, `assigned task ${x1} to host ${host}\n`)
        fault(noHost, "GenericError", "No such host: nosuchhost")
        fault(noSuchTask, "GenericError", "No such task: 999999")
        usage(bobAssign, "This action requires admin privileges")
        usage(oneArg, "please specify a task id and a hostname")
        expect(yield* taskState(x1)).toMatchObject({ state: TaskState.ASSIGNED, host_id: hostId })
        const forced = yield* bin(...A, "assign-task", String(x1), other, "--force", "--override")
        ok(forced, `assigned task ${x1} to host ${other}\n`)
        const [freed, freeNotInt, freeNone] = yield* binAll(
          [...A, "free-task", String(x1)],
          [...A, "free-task", "x"],
          [...A, "free-task"]
        )
        ok(freed, "")
        usage(freeNotInt, "task_id must be an integer")
        usage(freeNone, "please specify at least one task_id")
        expect(yield* taskState(x1)).toMatchObject({ state: TaskState.FREE, host_id: null })

        // set-task-priority
        const [prio, prioTree, noPrio, noIds, bobPrio] = yield* binAll(
          [...A, "set-task-priority", "--priority", "10", String(x1)],
          [...A, "set-task-priority", "--priority", "7", "--recurse", String(p)],
          [...A, "set-task-priority", String(x1)],
          [...A, "set-task-priority", "--priority", "3"],
          [...B, "set-task-priority", "--priority", "3", String(x1)]
        )
        ok(prio, "")
        ok(prioTree, "")
        usage(noPrio, "You must specify --priority")
        usage(noIds, "You must specify at least one task id")
        expect(bobPrio).toMatchObject({ code: 1, stderr: "admin permission required (logged in as bob)\n" })
        expect((yield* taskState(x1)).priority).toBe(10)
        for (const id of [p, c1, c2]) expect((yield* taskState(id)).priority).toBe(7)

        // the scheduler's records: runs of the tree's parent, the builder's data, a refusal, the log
        yield* admin.assignTask({ task_id: x2, host, force: false, override: false })
        yield* builder.host.refuseTask({ task_id: x2, soft: false, msg: "no handler for method" })
        const [runs, byHost, asJson, withLogs, extraArg, logs, logsJson, logsConflict] = yield* binAll(
          [...N, "scheduler-info", "-t", String(p)],
          [...N, "scheduler-info", "--host", host],
          [...N, "scheduler-info", "--json", "-t", String(x2)],
          [...N, "scheduler-info", "-t", String(x2), "--logs"],
          [...N, "scheduler-info", "extra"],
          [...N, "scheduler-logs", "--task", String(p)],
          [...N, "scheduler-logs", "--json", "--task", String(x2)],
          [...N, "scheduler-logs", "--from", "1", "--to", "2", "--limit", "3"]
        )
        const infoHeader = "Task      Host                 State   Created           Started           Ended            "
        const short = String.raw`\d\d-\d\d-\d\d \d\d:\d\d:\d\d`
        ok(runs, new RegExp(`^${infoHeader}\n-{${infoHeader.length}}\n${String(p).padEnd(9)} ${host.padEnd(20)} OPEN    ${short} ${short} {18}\n$`))
        ok(byHost)
        expect(byHost.stdout).toContain(`${String(p).padEnd(9)} ${host.padEnd(20)} OPEN    `)
        expect(byHost.stdout).toMatch(new RegExp(`\nHost data for ${host}:\n\\{'maxjobs': 3\\}\n$`))
        ok(asJson)
        const info2 = JSON.parse(asJson.stdout)
        expect(info2.runs.map((r: any) => r.task_id)).toEqual([x2])
        expect(info2.refusals).toMatchObject([{ task_id: x2, host_name: host, soft: false, by_host: true, msg: "no handler for method" }])
        ok(withLogs)
        expect(withLogs.stdout).toMatch(
          new RegExp(`\nRefusals of task ${x2}:\n  ${host}: hard, by the host, ${short}: no handler for method\nScheduler logs:\n`)
        )
        usage(extraArg, "This command takes no arguments")
        const logHeader = "Task       Host                 Time                      Message                       "
        ok(logs, new RegExp(`^${logHeader}\n-{${logHeader.length}}\n(${String(p).padEnd(10)} ${host.padEnd(20)} ${time} +\\S.*\n)+$`))
        ok(logsJson)
        expect(JSON.parse(logsJson.stdout).every((l: any) => l.task_id === x2)).toBe(true)
        usage(logsConflict, "If both --from and --to are used, --limit shouldn't be used")

        // cancel
        const [cancel2, justone, notTop, bobCancel, notId, noBuild, noArg] = yield* binAll(
          [...A, "cancel", String(x2)],
          [...A, "cancel", String(p), "--justone"],
          [...A, "cancel", "--full", String(c1)],
          [...B, "cancel", String(x1)],
          [...A, "cancel", "foo"],
          [...A, "cancel", "nosuch-1.0-1"],
          [...A, "cancel"]
        )
        ok(cancel2, "")
        ok(justone, "")
        expect(notTop).toMatchObject({ code: 1, stdout: "", stderr: `Task ${c1} is not top-level (parent=${p})\n` })
        expect(bobCancel).toMatchObject({ code: 1, stdout: "", stderr: "Cannot cancel task, not owner\n" })
        usage(notId, "please specify only task ids (integer) or builds (n-v-r)")
        expect(noBuild.code).toBe(1)
        expect(noBuild.stderr).toContain("nosuch-1.0-1")
        usage(noArg, "You must specify at least one task id or build")
        expect((yield* taskState(x2)).state).toBe(TaskState.CANCELED)
        expect((yield* taskState(p)).state).toBe(TaskState.CANCELED)
        expect((yield* taskState(c1)).state).toBe(TaskState.FREE)
        ok(yield* bin(...A, "cancel", "--full", "--force", String(c2)), "")
        expect((yield* taskState(c1)).state).toBe(TaskState.CANCELED)

        // set-task-priority on a finished task: a warning, no failure
        const closed = yield* bin(...A, "set-task-priority", "--priority", "3", String(p))
        expect(closed).toEqual({ code: 0, stdout: "", stderr: `Can't update task priority on closed task: ${p}\n` })

        // resubmit
        const [resubmitted, notFailed, noId] = yield* binAll(
          [...A, "resubmit", String(x2)],
          [...A, "resubmit", String(x1)],
          [...A, "resubmit"]
        )
        ok(resubmitted)
        expect(resubmitted.stdout).toMatch(new RegExp(
          `^Resubmitting the following task:\n${
            block(x2, "fork", "canceled", [`Finished: ${time}`]).replace("Type: fork\n", "Type: fork\nRequest Parameters:\n")
          }Resubmitted task ${x2} as new task (\\d+)\n$`
        ))
        const y = Number(/as new task (\d+)/.exec(resubmitted.stdout)![1])
        expect(yield* taskState(y)).toMatchObject({ state: TaskState.FREE })
        fault(notFailed, "GenericError", `Task ${x1} is not in the failed or canceled state`)
        expect(notFailed.stdout).toContain(`Resubmitting the following task:\nTask: ${x1}\n`)
        usage(noId, "Please specify a single task ID")

        // restart-hosts: a restartHosts task (the builders run it)
        const first = yield* bin(...A, "restart-hosts", "--nowait", "--channel", run, "--arch", "x86_64", "--timeout", "60")
        ok(first, "")
        const restart: any = yield* admin.listTasks({ opts: { method: "restartHosts", decode: true }, queryOpts: null })
        expect(restart.map((r: any) => [r.priority, r.request])).toEqual([[5, [{ channel: run, arches: ["x86_64"], timeout: 60 }]]])
        const [again, restartArgs] = yield* binAll([...A, "restart-hosts", "--nowait"], [...A, "restart-hosts", "extra"])
        const forcedRestart = yield* bin(...A, "restart-hosts", "--nowait", "--force")
        expect(again).toEqual({
          code: 1,
          stdout: "",
          stderr: `Found other restartHosts tasks running.\nTask ids: [${restart[0].id}]\nUse --force to run anyway\n`
        })
        ok(forcedRestart, "")
        usage(restartArgs, "restart-hosts does not accept arguments")
        const restarts: any = yield* admin.listTasks({ opts: { method: "restartHosts", decode: true }, queryOpts: { order: "id" } })
        expect(restarts.map((r: any) => r.request)).toEqual([[{ channel: run, arches: ["x86_64"], timeout: 60 }], []])
        for (const r of restarts) yield* admin.cancelTask({ task_id: r.id })
        for (const id of [x1, x3, y]) yield* admin.cancelTask({ task_id: id })
      }), 300_000)
    }

    it.scoped("watch-task prints each change as the builder makes it, and ends at once", () =>
      Effect.gen(function*() {
        writeConfig(yield* HubUrl)
        const admin = yield* TestHub.admin
        const channel = `watch-${t}`
        const name = `watch-host-${t}`
        // a host that is not ready yet: the task waits FREE
        const { client: builder, id: hostId } = yield* Builders.builder(name, { channels: [channel], ready: false })
        const id = yield* admin.makeTask({ method: "sleep", arglist: [1], channel })
        const watch = yield* live(...N, "watch-task", String(id))
        yield* watch.waitFor(`${id} sleep (noarch): free\n`)
        // the host is ready: the scheduler assigns the task to it
        yield* builder.host.updateHost({ task_load: 0, ready: true, data: null })
        yield* builder.host.getTasks({})
        yield* until(id, (x) => x.state === TaskState.ASSIGNED && x.host_id === hostId)
        yield* watch.waitFor(`${id} sleep (noarch): free -> assigned (${name})\n`)
        yield* builder.host.openTask({ task_id: id })
        yield* watch.waitFor(`${id} sleep (noarch): assigned (${name}) -> open (${name})\n`)
        // a child appears under it, indented, and runs on the same host
        const kid = yield* builder.host.subtask({ method: "sleep", arglist: [0], parent: id, label: "kid" })
        yield* watch.waitFor(`  ${kid} sleep (noarch): free\n`)
        yield* until(kid, (x) => x.state === TaskState.ASSIGNED)
        yield* builder.host.openTask({ task_id: kid })
        yield* builder.host.closeTask({ task_id: kid, response: yield* response(null) })
        yield* watch.waitFor("  0 free  1 open  1 done  0 failed\n")
        const closing = Date.now()
        yield* builder.host.closeTask({ task_id: id, response: yield* response(null) })
        const seen = yield* watch.waitFor("completed successfully\n")
        const result = yield* watch.done
        // pushed, not polled: well under Koji's 6-second poll
        expect(seen - closing).toBeLessThan(2000)
        expect(result).toEqual({
          code: 0,
          stderr: "",
          stdout: [
            "Watching tasks (this may be safely interrupted)...",
            `${id} sleep (noarch): free`,
            `${id} sleep (noarch): free -> assigned (${name})`,
            `${id} sleep (noarch): assigned (${name}) -> open (${name})`,
            `  ${kid} sleep (noarch): free`,
            `  ${kid} sleep (noarch): free -> assigned (${name})`,
            `  ${kid} sleep (noarch): assigned (${name}) -> open (${name})`,
            `  ${kid} sleep (noarch): open (${name}) -> closed`,
            "  0 free  1 open  1 done  0 failed",
            `${id} sleep (noarch): open (${name}) -> closed`,
            "  0 free  0 open  2 done  0 failed",
            "",
            `${id} sleep (noarch) completed successfully`,
            ""
          ].join("\n")
        })
        // a finished task: its state, the summary line's absence, the closing line
        ok(yield* bin(...N, "watch-task", String(id)), [
          "Watching tasks (this may be safely interrupted)...",
          `${id} sleep (noarch): closed`,
          `  ${kid} sleep (noarch): closed`,
          "",
          `${id} sleep (noarch) completed successfully`,
          ""
        ].join("\n"))
      }), 120_000)

    it.scoped("watch-task: a failed task exits 1; several tasks; resubmit --wait; Ctrl-C; no such task", () =>
      Effect.gen(function*() {
        writeConfig(yield* HubUrl)
        const admin = yield* TestHub.admin
        const channel = `fail-${t}`
        const name = `fail-host-${t}`
        const { client: builder } = yield* Builders.builder(name, { channels: [channel] })
        const id = yield* admin.makeTask({ method: "sleep", arglist: [1], channel })
        yield* until(id, (x) => x.state === TaskState.ASSIGNED)
        const watch = yield* live(...N, "watch-task", String(id))
        yield* watch.waitFor(`${id} sleep (noarch): assigned (${name})\n`)
        yield* builder.host.openTask({ task_id: id })
        yield* watch.waitFor("-> open")
        yield* builder.host.failTask({ task_id: id, response: failure(1000, "the sleep went wrong") })
        expect(yield* watch.done).toEqual({
          code: 1,
          stderr: "",
          stdout: [
            "Watching tasks (this may be safely interrupted)...",
            `${id} sleep (noarch): assigned (${name})`,
            `${id} sleep (noarch): assigned (${name}) -> open (${name})`,
            `${id} sleep (noarch): open (${name}) -> FAILED: GenericError: the sleep went wrong`,
            "  0 free  0 open  0 done  1 failed",
            "",
            `${id} sleep (noarch) failed`,
            ""
          ].join("\n")
        })

        // two tasks at once (no host in their channel); both canceled: exit 1
        const idle = `idle-${t}`
        yield* admin.addChannel({ channel_name: idle })
        const a = yield* admin.makeTask({ method: "sleep", arglist: [1], channel: idle })
        const b = yield* admin.makeTask({ method: "fork", arglist: [], channel: idle })
        const both = yield* live(...N, "--quiet", "watch-task", String(a), String(b))
        const verbose = yield* live(...N, "watch-task", String(a), String(b))
        yield* verbose.waitFor(`${b} fork (noarch): free\n`)
        yield* admin.cancelTask({ task_id: a })
        yield* verbose.waitFor(`${a} sleep (noarch): free -> canceled\n  1 free  0 open  1 done  0 failed\n`)
        yield* admin.cancelTask({ task_id: b })
        expect(yield* verbose.done).toEqual({
          code: 1,
          stderr: "",
          stdout: [
            "Watching tasks (this may be safely interrupted)...",
            `${a} sleep (noarch): free`,
            `${b} fork (noarch): free`,
            `${a} sleep (noarch): free -> canceled`,
            "  1 free  0 open  1 done  0 failed",
            `${b} fork (noarch): free -> canceled`,
            "  0 free  0 open  2 done  0 failed",
            "",
            `${a} sleep (noarch) was canceled`,
            `${b} fork (noarch) was canceled`,
            ""
          ].join("\n")
        })
        // --quiet: nothing printed, the same exit code
        expect(yield* both.done).toEqual({ code: 1, stdout: "", stderr: "" })

        // resubmit --wait: the new task is watched until it ends
        const again = yield* live(...A, "resubmit", "--wait", String(a))
        yield* again.waitFor(/as new task \d+\nWatching tasks \(this may be safely interrupted\)\.\.\.\n\d+ sleep \(noarch\): free\n/)
        const copy = Number(/as new task (\d+)/.exec(again.stdout())![1])
        yield* admin.cancelTask({ task_id: copy })
        const resubmitted = yield* again.done
        expect(resubmitted.code).toBe(1)
        expect(resubmitted.stdout).toContain(
          `${copy} sleep (noarch): free -> canceled\n  0 free  0 open  1 done  0 failed\n\n${copy} sleep (noarch) was canceled\n`
        )

        // Ctrl-C: Koji's message and the tasks still running, exit 1
        const waiting = yield* admin.makeTask({ method: "sleep", arglist: [5], channel: idle })
        const stopped = yield* live(...N, "watch-task", String(waiting))
        yield* stopped.waitFor(`${waiting} sleep (noarch): free\n`)
        stopped.child.kill("SIGINT")
        expect(yield* stopped.done).toEqual({
          code: 1,
          stderr: "",
          stdout: [
            "Watching tasks (this may be safely interrupted)...",
            `${waiting} sleep (noarch): free`,
            "Tasks still running. You can continue to watch with the 'koji-ts watch-task' command.",
            "Running Tasks:",
            `${waiting} sleep (noarch): free`,
            ""
          ].join("\n")
        })
        yield* admin.cancelTask({ task_id: waiting })

        // no such task; bad ids; a selection with nothing in it
        const [missing, notInt, noIds, mixed, emptySelection] = yield* binAll(
          [...N, "watch-task", "999999"],
          [...N, "watch-task", "x"],
          [...N, "watch-task"],
          [...N, "watch-task", "--method", "sleep", String(a)],
          [...N, "watch-task", "--channel", idle]
        )
        expect(missing).toEqual({
          code: 1,
          stdout: "Watching tasks (this may be safely interrupted)...\nNo such task id: 999999\n",
          stderr: ""
        })
        usage(notInt, "task id must be an integer")
        usage(noIds, "at least one task id must be specified")
        usage(mixed, "Selection options cannot be combined with a task list")
        ok(emptySelection, "(no tasks)\n")
      }), 180_000)

    if (t === "xmlrpc" && scripted) {
      it.scoped("against a hub without an event stream (a stock Koji): Koji's poll every poll_interval", () =>
        Effect.gen(function*() {
          writeConfig(yield* HubUrl)
          const admin = yield* TestHub.admin
          const channel = `poll-${t}`
          const name = `poll-host-${t}`
          const { client: builder, id: hostId } = yield* Builders.builder(name, { channels: [channel], ready: false })
          const id = yield* admin.makeTask({ method: "sleep", arglist: [1], channel })
          // Koji's XML-RPC hub has no events.* methods
          const calls: Array<string> = []
          const stock: Connection.Connector = (options) =>
            Effect.map(Connection.connect(options), (c) => ({
              ...c,
              call: (method, payload) => {
                calls.push(method)
                return method.startsWith("events.") ? Effect.fail(Connection.invalidMethod(method)) : c.call(method, payload)
              }
            }))
          let stdout = ""
          const base = yield* Effect.console
          const capture: Console.Console = {
            ...base,
            log: (...parts: ReadonlyArray<unknown>) => Effect.sync(() => void (stdout += `${parts.join(" ")}\n`)),
            error: (...parts: ReadonlyArray<unknown>) => Effect.sync(() => void (stdout += `stderr: ${parts.join(" ")}\n`))
          }
          const fiber = yield* Cli.run(["node", "koji-ts", "-p", `poll-${t}`, "watch-task", String(id)], { ...runOptions, connect: stock })
            .pipe(Effect.withConsole(capture), Effect.provide(NodeContext.layer), Effect.fork)
          const printed = (text: string) => Builders.eventually(Effect.sync(() => stdout), (out) => out.includes(text))
          yield* printed(`${id} sleep (noarch): free\n`)
          yield* admin.assignTask({ task_id: id, host: name, force: false, override: false })
          yield* printed(`${id} sleep (noarch): free -> assigned (${name})\n`)
          yield* builder.host.openTask({ task_id: id })
          yield* printed(`${id} sleep (noarch): assigned (${name}) -> open (${name})\n`)
          yield* builder.host.closeTask({ task_id: id, response: yield* response(null) })
          expect(yield* Fiber.join(fiber)).toBe(0)
          expect(stdout).toBe([
            "Watching tasks (this may be safely interrupted)...",
            `${id} sleep (noarch): free`,
            `${id} sleep (noarch): free -> assigned (${name})`,
            `${id} sleep (noarch): assigned (${name}) -> open (${name})`,
            `${id} sleep (noarch): open (${name}) -> closed`,
            "  0 free  0 open  1 done  0 failed",
            "",
            `${id} sleep (noarch) completed successfully`,
            ""
          ].join("\n"))
          // it asked once whether the hub has an event stream, then polled
          expect(calls.filter((m) => m.startsWith("events."))).toEqual(["events.lastId"])
          expect(calls.filter((m) => m === "getTaskInfo").length).toBeGreaterThanOrEqual(3)
          expect(hostId).toBeGreaterThan(0)
        }), 120_000)
    }
  })
}
