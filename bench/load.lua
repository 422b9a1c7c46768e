-- wrk script of bench/run.py: signed-in GET / requests, each with the Cookie header of
-- a session picked at random, spread over several hosts.
--
--   BENCH_COOKIES  a file of Cookie header values, one signed-in session per line
--   BENCH_HOSTS    the hosts, "127.0.0.1:PORT 127.0.0.1:PORT"
--
-- One wrk process drives every host, its threads taking the hosts in turn (thread 1 the
-- first host, thread 2 the second, ...; run it with a multiple of the hosts' count as
-- -t): one latency histogram then covers every request, where the percentiles of one
-- wrk per host could not be added up. The URL on wrk's command line only sets the Host
-- header.
--
-- done() prints one line for bench/run.py: "bench-result name=value ...", times in
-- microseconds.

local addresses = {}
local threads = 0

function setup(thread)
   if #addresses == 0 then
      for host, port in string.gmatch(os.getenv("BENCH_HOSTS"), "([^%s:]+):(%d+)") do
         table.insert(addresses, wrk.lookup(host, port)[1])
      end
   end
   thread.addr = addresses[threads % #addresses + 1]
   threads = threads + 1
   -- Each thread its own random sequence (LuaJIT starts every state with one seed).
   thread:set("seed", threads)
end

local prepared = {}

function init(args)
   math.randomseed(seed)
   for line in io.lines(os.getenv("BENCH_COOKIES")) do
      if line ~= "" then
         -- Whole requests made once, so a request costs wrk a table look-up.
         table.insert(prepared, wrk.format("GET", "/", {Cookie = line}))
      end
   end
end

function request()
   return prepared[math.random(#prepared)]
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "bench-result requests=%d duration=%d connect=%d read=%d write=%d status=%d " ..
      "timeout=%d p50=%d p90=%d p99=%d mean=%d\n",
      summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean))
end
