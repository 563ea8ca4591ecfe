import * as Http from "node:http"
const MiB = 1024 * 1024
const data = new Uint8Array(MiB).map((_, i) => i)
const server = Http.createServer((req, res) => { let n = 0; req.on("data", (c) => n += c.length); req.on("end", () => res.end(String(n))) })
server.listen(0, "127.0.0.1", async () => {
  const port = (server.address() as any).port
  const url = `http://127.0.0.1:${port}/x`
  for (let w = 0; w < 2; w++) {
    let t = performance.now()
    for (let i = 0; i < 100; i++) await fetch(url, { method: "POST", body: data, headers: { "content-type": "application/octet-stream" } }).then((r) => r.text())
    console.log("fetch ms/MiB", (performance.now() - t) / 100)
    const agent = new Http.Agent({ keepAlive: true })
    t = performance.now()
    for (let i = 0; i < 100; i++) await new Promise<void>((resolve) => {
      const req = Http.request(url, { method: "POST", agent, headers: { "content-type": "application/octet-stream", "content-length": MiB } }, (res) => { res.resume(); res.on("end", () => resolve()) })
      req.end(data)
    })
    console.log("http ms/MiB", (performance.now() - t) / 100)
  }
  server.close()
})
