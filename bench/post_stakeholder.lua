-- wrk script for scripts/bench.sh: POST /v1/stakeholders with a unique id per request (the run's
-- prefix, wrk's thread number and a counter), so every request is a durable append.
-- Usage: wrk -s bench/post_stakeholder.lua URL -- TOKEN PREFIX
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

function init(args)
  token = args[1]
  prefix = args[2] or "w"
  counter = 0
end

function request()
  counter = counter + 1
  local id = string.format("%s-%d-%d", prefix, thread_number, counter)
  local body = '{"id":"' .. id .. '","name":"Benchmark NGO ' .. id ..
      '","category":"ngo","ecosoc_status":"special"}'
  return wrk.format("POST", "/v1/stakeholders", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
