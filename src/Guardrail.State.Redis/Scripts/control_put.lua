-- Compare-and-set of one control-plane record, with the revision bump and the change message in
-- the same atomic step, so no node can see the record without the revision moving.
-- KEYS[1] the table's hash, KEYS[2] the revision counter (same {control} slot)
-- ARGV[1] record id, ARGV[2] '1' when a current value is expected, ARGV[3] the expected value,
-- ARGV[4] the new value, ARGV[5] channel, ARGV[6] table name for the message, ARGV[7] '1' when the
-- message carries the new value (model registry records; never key hashes)
local current = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == '1' then
  if current ~= ARGV[3] then
    return {'0', current or '', redis.call('GET', KEYS[2]) or '0', current and '1' or '0'}
  end
elseif current then
  return {'0', current, redis.call('GET', KEYS[2]) or '0', '1'}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
local revision = redis.call('INCR', KEYS[2])
local message = ARGV[6] .. ' ' .. ARGV[1] .. ' ' .. revision
if ARGV[7] == '1' then
  message = message .. ' ' .. ARGV[4]
end
redis.call('PUBLISH', ARGV[5], message)
return {'1', '', tostring(revision), '1'}
