/**
 * The build pipeline end to end: `build` of a git commit (a small C program with
 * a noarch subpackage) to the build tagged, with the hub (`apps/hub`) and a
 * builder (`apps/builder`) in their own processes.
 *
 * Prints, per build: wall time from the `build` call to the task tree closed
 * (the build tagged), the time spent inside the tools (git, rpmbuild), the rest
 * (ours: scheduling, uploads, import, tagging), and the hub's CPU time.
 *
 *   node --import tsx bench/e2e-build.ts [pglite|postgres] [builds=5]
 *
 * With `E2E_DETAIL=1` it prints each task of a build: how long it waited and ran.
 */
import { Effect, Stream } from "effect"
import { execFileSync, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { localArch } from "../src/builder/Arch.js"
import * as KojiClient from "../src/client/KojiClient.js"
import { TaskState } from "../src/domain/Enums.js"
import * as GitRepo from "../test/utils/GitRepo.js"
import { adminPassword, type Backend, startHubProcess } from "./hubProcess.js"

const root = fileURLToPath(new URL("..", import.meta.url))
const backend = (process.argv[2] ?? "pglite") as Backend
const builds = Number(process.argv[3] ?? 5)

// CPU seconds (user + system) of a process so far
const cpuSeconds = (pid: number) => {
  const fields = Fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const stats = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mean = values.reduce((a, b) => a + b, 0) / values.length
  return `mean ${mean.toFixed(2)} min ${sorted[0]!.toFixed(2)} max ${sorted[sorted.length - 1]!.toFixed(2)}`
}

const program = Effect.gen(function*() {
  const repo = yield* GitRepo.fromFixture("hello")
  const hub = yield* startHubProcess(backend)
  const admin = yield* KojiClient.makeHttp({ url: `${hub.url}/api` })
  yield* admin.login({ user: "admin", password: adminPassword })
  const buildTag = yield* admin.createTag({ name: "bench-build", arches: localArch })
  const destTag = yield* admin.createTag({ name: "bench-dest" })
  yield* admin.createBuildTarget({ name: "bench", build_tag: buildTag, dest_tag: destTag })
  yield* admin.packageListAdd({ taginfo: destTag, pkginfo: "hello", owner: "admin" })
  yield* admin.addHost({ hostname: "bench-builder", arches: [localArch] })
  yield* admin.editUser({ userInfo: "bench-builder", password: "bench-builder-password" })

  const home = Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-bench-builder-"))
  yield* Effect.acquireRelease(
    Effect.sync(() =>
      spawn(process.execPath, ["--import", "tsx", "apps/builder/main.ts"], {
        cwd: root,
        env: {
          ...process.env,
          KOJI_HOME: home,
          KOJI_HUB_URL: `${hub.url}/api`,
          KOJI_BUILDER_NAME: "bench-builder",
          KOJI_BUILDER_PASSWORD: "bench-builder-password",
          KOJI_ALLOWED_SCMS: `:${repo.root}/*:no:`
        },
        stdio: ["ignore", "ignore", "inherit"]
      })
    ),
    (child) =>
      Effect.async<void>((resume) => {
        child.once("exit", () => {
          Fs.rmSync(home, { recursive: true, force: true })
          resume(Effect.void)
        })
        child.kill("SIGTERM")
      })
  )

  console.log(`e2e build on ${backend}: ${builds} builds of hello (C + noarch subpackage), hub and builder in their own processes`)
  const walls: Array<number> = []
  const tools: Array<number> = []
  const cpus: Array<number> = []
  for (let i = 0; i <= builds; i++) {
    const spec = Fs.readFileSync(Path.join(repo.dir, "hello.spec"), "utf8").replace(/^Version:.*$/m, `Version:        2.${i}`)
    const commit = repo.commit("hello.spec", spec, `version 2.${i}`)
    const after = yield* admin.events.lastId({})
    const cpu0 = cpuSeconds(hub.pid)
    const t0 = performance.now()
    const taskId = yield* admin.build({ src: `git+file://${repo.dir}#${commit}`, target: "bench" })
    // the event stream says when the build task finishes (it finishes after the tag task)
    const done = yield* admin.watch({ after, filter: { task: taskId, kinds: ["task.state"] } }).pipe(
      Stream.filter((e) => e.task_id === taskId && [TaskState.CLOSED, TaskState.FAILED, TaskState.CANCELED].includes(e.data.state as any)),
      Stream.runHead
    )
    const wall = (performance.now() - t0) / 1000
    const cpu = cpuSeconds(hub.pid) - cpu0
    if (done._tag === "None" || done.value.data.state !== TaskState.CLOSED) {
      const failure = yield* Effect.flip(admin.getTaskResult({ taskId }))
      throw new Error(`build ${i} failed: ${failure.message}`)
    }
    // time inside the tools: the rpmbuild and git lines of the tasks' logs are timed by the tasks themselves
    const children = yield* admin.getTaskChildren({ task_id: taskId })
    let toolTime = 0
    for (const child of children as ReadonlyArray<any>) {
      if (child.method !== "buildSRPMFromSCM" && child.method !== "buildArch") continue
      const rootLog = new TextDecoder().decode(yield* admin.downloadTaskOutput({ taskID: child.id, fileName: "root.log" }))
      for (const m of rootLog.matchAll(/rpmbuild exited with status 0 after ([0-9.]+) s/g)) toolTime += Number(m[1])
    }
    if (i === 0) {
      console.log(`  warm-up build: ${wall.toFixed(2)} s`)
      continue
    }
    if (process.env.E2E_DETAIL) {
      const all = [(yield* admin.getTaskInfo({ task_id: taskId })) as any, ...(children as ReadonlyArray<any>)]
      for (const t of all) {
        console.log(`    ${t.method.padEnd(18)} queued ${((t.start_ts - t.create_ts) * 1000).toFixed(0).padStart(5)} ms, ran ${((t.completion_ts - t.start_ts) * 1000).toFixed(0).padStart(5)} ms (from ${((t.create_ts - all[0].create_ts) * 1000).toFixed(0)} ms)`)
      }
    }
    walls.push(wall)
    tools.push(toolTime)
    cpus.push(cpu)
    console.log(
      `  build ${i}: ${wall.toFixed(2)} s wall, ${toolTime.toFixed(2)} s in rpmbuild, ${(wall - toolTime).toFixed(2)} s ours, hub CPU ${cpu.toFixed(2)} s`
    )
  }
  console.log(`wall time (s):       ${stats(walls)}`)
  console.log(`in rpmbuild (s):     ${stats(tools)}`)
  console.log(`ours (s):            ${stats(walls.map((w, i) => w - tools[i]!))}`)
  console.log(`hub CPU / build (s): ${stats(cpus)}`)
  console.log(`(the same package built by hand: ${handBuild().toFixed(2)} s for rpmbuild -bs then --rebuild in bwrap)`)
})

// the tool time alone: the same two rpmbuild runs in the same sandbox, by hand
const handBuild = () => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-bench-rpmbuild-"))
  try {
    Fs.mkdirSync(Path.join(dir, "SOURCES"), { recursive: true })
    for (const f of ["hello.c", "greeting.txt"]) Fs.copyFileSync(Path.join(root, "test/fixtures/hello", f), Path.join(dir, "SOURCES", f))
    const sandbox = (...args: Array<string>) =>
      execFileSync("bwrap", [
        "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/var/tmp",
        "--bind", dir, dir, "--unshare-all", "--die-with-parent", "--clearenv",
        "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", dir,
        "rpmbuild", "--nodeps", "--define", `_topdir ${dir}`, ...args
      ], { stdio: "ignore" })
    const t0 = performance.now()
    sandbox("-bs", Path.join(root, "test/fixtures/hello/hello.spec"))
    const srpm = Fs.readdirSync(Path.join(dir, "SRPMS"))[0]!
    sandbox("--rebuild", Path.join(dir, "SRPMS", srpm))
    return (performance.now() - t0) / 1000
  } finally {
    Fs.rmSync(dir, { recursive: true, force: true })
  }
}

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exit(1)
})
