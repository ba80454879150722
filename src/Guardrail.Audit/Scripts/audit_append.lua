-- Appends a batch of audit records to one stream, trimmed to about ARGV[1] entries.
-- KEYS[1]: gr:{tenant}:audit:{environment} (the tenant's hash tag: the tenant's shard).
-- ARGV[1]: MAXLEN; ARGV[2..n]: one JSON record each. Returns the number appended.
for i = 2, #ARGV do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'record', ARGV[i])
end
return #ARGV - 1
