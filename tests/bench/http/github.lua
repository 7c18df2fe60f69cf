-- SPDX-License-Identifier: BSL-1.0
-- wrk script: POST one signed GitHub push body, each request a NEW delivery. GitHub signs only the body, so every
-- request carries the same X-Hub-Signature-256 and a fresh X-GitHub-Delivery: no request is a duplicate that a
-- dedup store could short-circuit.
-- Environment: WRK_BODY_FILE (the body), WRK_SIGNATURE (sha256=…), WRK_RUN (a prefix unique to this run).

local counter = 0
local thread_id = 0
local body, signature, run

function init(args)
    local f = assert(io.open(os.getenv("WRK_BODY_FILE"), "rb"))
    body = f:read("*a")
    f:close()
    signature = os.getenv("WRK_SIGNATURE")
    run = os.getenv("WRK_RUN") or "run"
    thread_id = math.random(1, 1000000000)
end

function request()
    counter = counter + 1
    return wrk.format("POST", nil, {
        ["Content-Type"] = "application/json",
        ["X-GitHub-Event"] = "push",
        ["X-Hub-Signature-256"] = signature,
        ["X-GitHub-Delivery"] = run .. "-" .. thread_id .. "-" .. counter,
    }, body)
end

function done(summary, latency, requests)
    io.write(string.format("WRK p50_us=%d p99_us=%d requests=%d errors=%d\n", latency:percentile(50),
        latency:percentile(99), summary.requests,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status +
            summary.errors.timeout))
end
