-- GCRA over several keys at once, all or nothing, on Redis's own clock so every replica agrees on "now".
-- KEYS: one per limit. ARGV[1]: the cost (0 peeks and stores nothing); then, for each key in order, its emission
-- interval and its burst tolerance, in microseconds.
-- Returns {stored (0 or 1), now, the TAT each key held before (0 when absent)}. The server derives every number
-- it reports from these with the same integer arithmetic as gcra.rs, so this script only decides and stores.
-- Lua numbers are doubles: microsecond times stay exact far beyond any clock reading plus a year's tolerance.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local cost = tonumber(ARGV[1])
local wanted = math.max(cost, 1)
local tats = {}
local fits = true
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i])
  local tolerance = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key) or '0')
  tats[i] = tat
  -- Allowed when the debt after this request still fits in the bucket.
  if math.max(tat, now) - now + wanted * interval > tolerance then
    fits = false
  end
end
local stored = 0
if fits and cost > 0 then
  for i, key in ipairs(KEYS) do
    local new_tat = math.max(tats[i], now) + cost * tonumber(ARGV[2 * i])
    -- The key expires when its bucket is full again: from then on absent and present mean the same.
    redis.call('SET', key, string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
  end
  stored = 1
end
local reply = {stored, now}
for i = 1, #tats do
  reply[i + 2] = tats[i]
end
return reply
