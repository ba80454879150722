-- A stopping worker leaves at once instead of waiting for its TTL.
-- KEYS[1] = gr:{workers}:member:<id>, KEYS[2] = gr:{workers}:ids, ARGV[1] = worker id
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return 1
