// SPDX-License-Identifier: BSL-1.0
// The peer: @octokit/webhooks' own Node middleware receiving GitHub deliveries, one handler on "push". This is how
// most GitHub webhook receivers run today. Prints "listening on 127.0.0.1:PORT".
//
//   WEBHOOKS_NODE_MODULES=<dir with node_modules> WEBHOOK_SECRET=… node octokit_server.mjs
import http from "node:http";
import path from "node:path";
import { createRequire } from "node:module";

const dir = process.env.WEBHOOKS_NODE_MODULES;
if (!dir) throw new Error("set WEBHOOKS_NODE_MODULES to the directory that holds node_modules");
const require = createRequire(path.join(dir, "noop.js"));
const { Webhooks, createNodeMiddleware } = await import(require.resolve("@octokit/webhooks"));

const webhooks = new Webhooks({ secret: process.env.WEBHOOK_SECRET });
let pushes = 0;
webhooks.on("push", ({ payload }) => {
    if (payload.ref) pushes++;
});
const middleware = createNodeMiddleware(webhooks, { path: "/webhooks/github" });
const server = http.createServer(middleware);
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => {
    console.log(`listening on 127.0.0.1:${server.address().port}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => {
    console.log(`pushes handled: ${pushes}`);
    server.close();
    process.exit(0);
});
