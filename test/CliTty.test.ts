/**
 * The `koji-ts` CLI on a real terminal: tmux (Debian's package) runs the binary
 * in a pane, `send-keys` types, `capture-pane` reads the screen. The password
 * prompt (no `--password` on a terminal), `watch-task` updating live as a test
 * builder moves the task through its states, and `make-task --watch` stopped
 * with Ctrl-C.
 */
import { afterAll, describe, expect, it, layer } from "@effect/vitest"
import { type Duration, Effect, Schedule } from "effect"
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { TaskState } from "../src/domain/Enums.js"
import * as TaskRequest from "../src/hub/TaskRequest.js"
import * as Builders from "./utils/Builders.js"
import { binPath, HubUrl, hubLayer } from "./utils/CliHarness.js"
import * as TestHub from "./utils/Hub.js"

// tmux on a socket of our own, so the test never touches a user's sessions
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-cli-tty-"))
const socket = Path.join(dir, "tmux.sock")
const home = Path.join(dir, "home")
Fs.mkdirSync(home)

const tmux = (...args: ReadonlyArray<string>) => {
  const r = spawnSync("tmux", ["-S", socket, ...args], { encoding: "utf8" })
  if (r.error !== undefined) throw r.error
  if (r.status !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr}`)
  return r.stdout
}

// whether tmux runs here at all (CI installs it; without it this suite fails, saying why)
const tmuxProblem = (() => {
  const version = spawnSync("tmux", ["-V"], { encoding: "utf8" })
  if (version.error !== undefined || version.status !== 0) {
    return `tmux is not installed (apt-get install tmux): ${version.error?.message ?? version.stderr}`
  }
  const probe = spawnSync("tmux", ["-S", socket, "new-session", "-d", "-s", "probe", "-x", "80", "-y", "10", "sleep 5"], {
    encoding: "utf8"
  })
  if (probe.status !== 0) return `tmux cannot start a session here: ${probe.stderr}`
  spawnSync("tmux", ["-S", socket, "kill-session", "-t", "probe"])
  return undefined
})()

afterAll(() => {
  spawnSync("tmux", ["-S", socket, "kill-server"])
  Fs.rmSync(dir, { recursive: true, force: true })
})

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`

/** Run `koji-ts args...` in a new tmux window of 200x50; the pane stays after it exits, with its exit code. */
const start = (name: string, args: ReadonlyArray<string>) =>
  Effect.sync(() => {
    const command = [
      "env",
      `HOME=${quote(home)}`,
      `KOJI_SYSCONFDIR=${quote(Path.join(dir, "etc"))}`,
      "TZ=UTC",
      quote(process.execPath),
      quote(binPath),
      ...args.map(quote)
    ].join(" ")
    tmux("new-session", "-d", "-s", name, "-x", "200", "-y", "50", `${command}; echo "[exit $?]"; sleep 600`)
  })

/** What the pane shows now. */
const screen = (name: string) => Effect.sync(() => tmux("capture-pane", "-p", "-t", name))

/** Wait until the pane shows `text`; answers the screen. */
const shows = (name: string, text: string | RegExp, timeout: Duration.DurationInput = "30 seconds") =>
  screen(name).pipe(
    Effect.filterOrFail((s) => (typeof text === "string" ? s.includes(text) : text.test(s))),
    Effect.retry(Schedule.spaced("50 millis")),
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () => new Error(`the pane never showed ${text}:\n${tmux("capture-pane", "-p", "-t", name)}`)
    })
  )

const keys = (name: string, ...k: ReadonlyArray<string>) => Effect.sync(() => tmux("send-keys", "-t", name, ...k))
const typeText = (name: string, text: string) => Effect.sync(() => tmux("send-keys", "-t", name, "-l", text))

const response = (value: unknown) => Effect.orDie(TaskRequest.encodeResult(value))

const until = (id: number, done: (t: any) => boolean) =>
  Builders.eventually(Effect.flatMap(TestHub.client, (c) => c.getTaskInfo({ task_id: id })), done)

describe("CliTty: a terminal to drive", () => {
  it("tmux runs here", () => {
    expect(tmuxProblem).toBeUndefined()
  })
})

if (tmuxProblem === undefined) {
  layer(hubLayer(), { timeout: "180 seconds", excludeTestServices: true })("CliTty", (it) => {
    it.scoped("asks for the password on a terminal, without echoing it", () =>
      Effect.gen(function*() {
        const url = yield* HubUrl
        yield* start("login", ["-s", `${url}/api`, "--user", "admin", "hello"])
        const prompt = yield* shows("login", "Password for admin:")
        expect(prompt).not.toContain(", admin!")
        yield* typeText("login", TestHub.adminPassword)
        yield* keys("login", "Enter")
        const done = yield* shows("login", "[exit 0]")
        expect(done).toMatch(/, admin!\n/)
        expect(done).toContain(`You are using the hub at ${url}/api`)
        expect(done).toContain("Authenticated via password")
        expect(done).not.toContain(TestHub.adminPassword)
        // a wrong password: Koji's fault line, exit 1
        yield* start("wrong", ["-s", `${url}/kojihub`, "--user", "admin", "hello"])
        yield* shows("wrong", "Password for admin:")
        yield* typeText("wrong", "not-the-password")
        yield* keys("wrong", "Enter")
        const wrong = yield* shows("wrong", "[exit 1]")
        expect(wrong).toMatch(/\[ERROR\] koji: AuthError: /)
      }), 120_000)

    it.scoped("watch-task updates the screen as the task moves through its states", () =>
      Effect.gen(function*() {
        const url = yield* HubUrl
        const admin = yield* TestHub.admin
        const channel = "tty"
        const name = "tty-builder"
        const { client: builder, id: hostId } = yield* Builders.builder(name, { channels: [channel], ready: false })
        const id = yield* admin.makeTask({ method: "sleep", arglist: [1], channel })
        yield* start("watch", ["-s", `${url}/api`, "watch-task", String(id)])
        const free = yield* shows("watch", `${id} sleep (noarch): free`)
        expect(free).not.toContain("->")
        yield* builder.host.updateHost({ task_load: 0, ready: true, data: null })
        yield* builder.host.getTasks({})
        yield* until(id, (t) => t.state === TaskState.ASSIGNED && t.host_id === hostId)
        const assigned = yield* shows("watch", `${id} sleep (noarch): free -> assigned (${name})`)
        expect(assigned).not.toContain("-> open")
        yield* builder.host.openTask({ task_id: id })
        const open = yield* shows("watch", `${id} sleep (noarch): assigned (${name}) -> open (${name})`)
        expect(open).not.toContain("closed")
        yield* builder.host.closeTask({ task_id: id, response: yield* response(null) })
        const closed = yield* shows("watch", "[exit 0]")
        expect(closed.split("\n").filter((l) => l !== "")).toEqual([
          "Watching tasks (this may be safely interrupted)...",
          `${id} sleep (noarch): free`,
          `${id} sleep (noarch): free -> assigned (${name})`,
          `${id} sleep (noarch): assigned (${name}) -> open (${name})`,
          `${id} sleep (noarch): open (${name}) -> closed`,
          "  0 free  0 open  1 done  0 failed",
          `${id} sleep (noarch) completed successfully`,
          "[exit 0]"
        ])
      }), 120_000)

    it.scoped("make-task --watch on a terminal watches; Ctrl-C stops it with Koji's message", () =>
      Effect.gen(function*() {
        const url = yield* HubUrl
        const admin = yield* TestHub.admin
        yield* admin.addChannel({ channel_name: "tty-idle" })
        yield* start("make", [
          "-s",
          `${url}/kojihub`,
          "--user",
          "admin",
          "--password",
          TestHub.adminPassword,
          "make-task",
          "--watch",
          "--channel",
          "tty-idle",
          "sleep",
          "3"
        ])
        const watching = yield* shows("make", /Created task id (\d+)\nWatching tasks \(this may be safely interrupted\)\.\.\.\n\d+ sleep \(noarch\): free\n/)
        const id = Number(/Created task id (\d+)/.exec(watching)![1])
        yield* keys("make", "C-c")
        const stopped = yield* shows("make", "[exit 1]")
        // the terminal echoes the key as ^C
        expect(stopped).toContain(
          [
            `${id} sleep (noarch): free`,
            "^CTasks still running. You can continue to watch with the 'koji-ts watch-task' command.",
            "Running Tasks:",
            `${id} sleep (noarch): free`,
            "[exit 1]"
          ].join("\n")
        )
        yield* admin.cancelTask({ task_id: id })
      }), 120_000)
  })
}
