-- Registers or refreshes a detector worker: its entry expires unless the next heartbeat comes
-- within the TTL, and the index lets gateways list workers without SCAN.
-- KEYS[1] = gr:{workers}:member:<id>, KEYS[2] = gr:{workers}:ids
-- ARGV[1] = worker id, ARGV[2] = registration JSON, ARGV[3] = TTL in milliseconds
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
return 1
