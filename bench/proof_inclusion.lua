-- wrk script for scripts/bench.sh: GET /v1/ledger/proof/inclusion of a random position in the
-- tree of the whole log, so that every request reads another path of the tree.
-- Usage: wrk -s bench/proof_inclusion.lua URL -- TOKEN TREE_SIZE
function init(args)
  token = args[1]
  tree_size = tonumber(args[2])
  math.randomseed(os.time() + math.random(1000000))
end

function request()
  local position = math.random(1, tree_size)
  return wrk.format("GET", "/v1/ledger/proof/inclusion?position=" .. position .. "&tree_size=" ..
      tree_size, {["Authorization"] = "Bearer " .. token})
end
