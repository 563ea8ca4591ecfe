/**
 * The koji-ts CLI: `node --import tsx apps/cli/main.ts [global-options] command ...`
 * (the `koji-ts` binary, `apps/cli/bin.mjs`, runs this file). Wiring only: the
 * commands live in src/cli.
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import * as Cli from "../../src/cli/Cli.js"

Cli.run(process.argv).pipe(
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    // exit with the command's code right away (idle keep-alive sockets must not hold the process)
    teardown: (exit, onExit) => Cli.teardown(exit, (code) => {
      onExit(code)
      process.exit(code)
    })
  })
)
