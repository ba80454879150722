-- One Screen request's state update, atomically: quota, then (if admitted) session risk, and the
-- tenant's anomaly bucket. A line-by-line transcription of TurnRules.Apply (Guardrail.State);
-- the shared contract suite holds both to the same answers.
-- KEYS[1] tenant hash {tenant}; KEYS[2] session hash (same hash tag; ignored when ARGV[23] is 0).
-- Numbers go back as strings: Redis would truncate Lua numbers to integers.
local now = tonumber(ARGV[1])
local weight = tonumber(ARGV[2])
local chars = tonumber(ARGV[3])
local score = tonumber(ARGV[4])
local flagged = tonumber(ARGV[5])
local rate = tonumber(ARGV[6])
local burst = tonumber(ARGV[7])
local daily = tonumber(ARGV[8])
local risk_cost = tonumber(ARGV[9])
local half_life = tonumber(ARGV[10])
local floor_score = tonumber(ARGV[11])
local flag_at = tonumber(ARGV[12])
local block_at = tonumber(ARGV[13])
local lock_ms = tonumber(ARGV[14])
local idle_ms = tonumber(ARGV[15])
local tenant_ttl = tonumber(ARGV[16])
local bucket_ms = tonumber(ARGV[17])
local alpha = tonumber(ARGV[18])
local learning = tonumber(ARGV[19])
local min_buckets = tonumber(ARGV[20])
local raise_z = tonumber(ARGV[21])
local clear_z = tonumber(ARGV[22])
local has_session = tonumber(ARGV[23])
local min_count_std = tonumber(ARGV[24])
local min_share_std = tonumber(ARGV[25])
local max_empty = tonumber(ARGV[26])
local day_ms = 86400000

local t = KEYS[1]
local s = KEYS[2]

local risk, locked_until = 0, 0
if has_session == 1 then
  local v = redis.call('HMGET', s, 'risk', 'at', 'lock')
  -- Expiry is judged on the caller's clock too (the PEXPIREs below bound memory on Redis's clock).
  if v[1] and not (now - tonumber(v[2]) >= idle_ms and (tonumber(v[3]) or 0) <= now) then
    risk = tonumber(v[1])
    local at = tonumber(v[2])
    locked_until = tonumber(v[3]) or 0
    if now > at then risk = risk * math.pow(2, -(now - at) / half_life) end
  end
end

local f = redis.call('HMGET', t, 'tokens', 'refilled', 'day', 'used', 'b', 'n', 'na', 'fl', 'sc',
  'm1', 'v1', 'm2', 'v2', 'm3', 'v3', 'k', 'anom', 'z', 'seen')
if f[19] and now - tonumber(f[19]) >= tenant_ttl then
  redis.call('DEL', t)
  f = {}
end
local tokens, refilled = tonumber(f[1]), tonumber(f[2])
if not tokens then tokens = burst; refilled = now end
if now > refilled then
  tokens = math.min(burst, tokens + (now - refilled) * rate / 1000)
  refilled = now
end
local day = math.floor(now / day_ms)
local used = tonumber(f[4]) or 0
if tonumber(f[3]) ~= day then used = 0 end

local multiplier = 1 + risk_cost * risk
local request_cost = math.min(burst, multiplier)
local char_cost = chars * multiplier
local throttle, retry = 0, 0
if tokens < request_cost then
  throttle = 1
  retry = math.ceil((request_cost - tokens) * 1000 / rate)
elseif used + char_cost > daily then
  throttle = 2
  retry = (day + 1) * day_ms - now
else
  tokens = tokens - request_cost
  used = used + char_cost
end
local admitted = throttle == 0

-- Anomaly: close finished buckets against the EWMA baselines, then count this request.
local b = tonumber(f[5])
local n, na, fl, sc = tonumber(f[6]) or 0, tonumber(f[7]) or 0, tonumber(f[8]) or 0, tonumber(f[9]) or 0
local m = { tonumber(f[10]), tonumber(f[12]), tonumber(f[14]) }
local var = { tonumber(f[11]) or 0, tonumber(f[13]) or 0, tonumber(f[15]) or 0 }
local k = tonumber(f[16]) or 0
local anom = tonumber(f[17]) or 0
local last_z = tonumber(f[18]) or 0

local function close_bucket(x)
  if k >= min_buckets then
    local z = -math.huge
    for i = 1, 3 do
      if x[i] ~= nil and m[i] ~= nil then
        local lowest = min_share_std
        if i == 1 then lowest = math.max(min_count_std, 0.1 * m[1]) end
        z = math.max(z, (x[i] - m[i]) / math.max(math.sqrt(var[i]), lowest))
      end
    end
    if anom == 0 and z >= raise_z then anom = 1
    elseif anom == 1 and z < clear_z then anom = 0 end
    if z == -math.huge then last_z = 0 else last_z = z end
  end
  local a = alpha
  if anom == 1 then a = alpha * learning end
  for i = 1, 3 do
    if x[i] ~= nil then
      if m[i] == nil then
        m[i] = x[i]; var[i] = 0
      else
        local d = x[i] - m[i]
        m[i] = m[i] + a * d
        var[i] = (1 - a) * (var[i] + a * d * d)
      end
    end
  end
  k = k + 1
end

local bucket = math.floor(now / bucket_ms)
if not b then b = bucket end
if bucket > b then
  local share, mean = nil, nil
  if na > 0 then share = fl / na; mean = sc / na end
  close_bucket({ n, share, mean })
  for _ = 1, math.min(bucket - b - 1, max_empty) do close_bucket({ 0, nil, nil }) end
  b = bucket; n = 0; na = 0; fl = 0; sc = 0
end
n = n + 1
if admitted then
  na = na + 1
  fl = fl + flagged
  sc = sc + score
end

local fields = { 'tokens', tokens, 'refilled', refilled, 'day', day, 'used', used, 'b', b, 'n', n, 'na', na,
  'fl', fl, 'sc', sc, 'k', k, 'anom', anom, 'z', last_z, 'seen', now }
for i = 1, 3 do
  if m[i] ~= nil then
    table.insert(fields, 'm' .. i); table.insert(fields, m[i])
    table.insert(fields, 'v' .. i); table.insert(fields, var[i])
  end
end
redis.call('HSET', t, unpack(fields))
redis.call('PEXPIRE', t, tenant_ttl)

local level = 0
if has_session == 1 then
  if admitted then
    risk = risk + weight * math.max(0, score - floor_score)
    if risk >= block_at and locked_until <= now and lock_ms > 0 then locked_until = now + lock_ms end
    redis.call('HSET', s, 'risk', risk, 'at', now, 'lock', locked_until)
    redis.call('PEXPIRE', s, math.max(idle_ms, locked_until - now))
  end
  if locked_until > now or risk >= block_at then level = 2
  elseif risk >= flag_at then level = 1 end
end

return { tostring(throttle), tostring(retry), tostring(risk), tostring(level), tostring(locked_until),
  tostring(anom), tostring(last_z), tostring(tokens), tostring(daily - used) }
