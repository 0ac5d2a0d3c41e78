-- wrk script for benchmarks/load.py. load.py prepends the settings:
--   sessions = { {cookie=..., body=...}, ... }  one logged-in user per wrk thread
--   flow = "get" | "submit";  path = "/...";  think_min, think_max (ms, 0 = none)
-- A "submit" thread creates a draft (POST /arbejdsmiljoe/haendelser, 302 to the form) and then
-- submits it (POST to that form, 302 to "?indsendt=1"): an acknowledged report. Each thread is one
-- user, so a draft is always submitted by the user who created it.

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function init(args)
  user = sessions[index % #sessions + 1]
  drafts, ok, bad, acknowledged = {}, 0, 0, 0
  math.randomseed(index * 7919 + 17)
  base_headers = { ["Cookie"] = user.cookie }
  form_headers = { ["Cookie"] = user.cookie, ["Content-Type"] = "application/x-www-form-urlencoded" }
end

function delay()
  if think_max > 0 then return math.random(think_min, think_max) end
  return 0
end

function request()
  if flow == "get" then
    return wrk.format("GET", path, base_headers)
  end
  local draft = table.remove(drafts)
  if draft then
    return wrk.format("POST", draft, form_headers, user.body)
  end
  return wrk.format("POST", path, form_headers, user.csrf)
end

function response(status, headers, body)
  local location = headers["location"] or headers["Location"] or ""
  if flow == "get" then
    if status == 200 then ok = ok + 1 else bad = bad + 1 end
  elseif status == 302 and location:find("/rediger$") then
    ok = ok + 1
    table.insert(drafts, location)
  elseif status == 302 and location:find("indsendt=1") then
    ok = ok + 1
    acknowledged = acknowledged + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local good, wrong, acks = 0, 0, 0
  for _, thread in ipairs(threads) do
    good = good + thread:get("ok")
    wrong = wrong + thread:get("bad")
    acks = acks + thread:get("acknowledged")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "ok": %d, "bad": %d, "acknowledged": %d, ' ..
    '"socket_errors": %d, "p50": %.2f, "p95": %.2f, "p99": %.2f}\n',
    summary.requests, summary.duration / 1e6, good, wrong, acks,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
