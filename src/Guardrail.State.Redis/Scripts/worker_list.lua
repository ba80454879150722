-- Lists live detector workers and forgets the index entries of those whose key has expired.
-- Member keys are built here from the index; they share the {workers} hash tag with it, so in a
-- Redis Cluster they are on the same shard as KEYS[1].
-- KEYS[1] = gr:{workers}:ids, ARGV[1] = member key prefix "gr:{workers}:member:"
local live = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local entry = redis.call('GET', ARGV[1] .. id)
  if entry then
    live[#live + 1] = entry
  else
    redis.call('SREM', KEYS[1], id)
  end
end
return live
