// The Lua scripts that make the shared state's decisions atomic: Redis runs each alone,
// so two instances never both see an agent available and both claim it. Every script
// takes the key prefix and this instance's id first (ARGV[1], ARGV[2]); keys are built
// from the prefix, so this is for one Redis (or a primary with replicas), not a Cluster.
// Every change is published on `<prefix>events` for the other instances' copies.

/** Shared helpers: the available index (available and registered) and publication. */
const HELPERS = `
local function agentKey(p, id) return p .. 'agent:' .. id end
local function reindex(p, id)
  local k = agentKey(p, id)
  if redis.call('HGET', k, 'status') == 'available' and redis.call('EXISTS', p .. 'reg:' .. id) == 1 then
    redis.call('ZADD', p .. 'available', redis.call('HGET', k, 'idleSince'), id)
  else
    redis.call('ZREM', p .. 'available', id)
  end
end
local function hashOf(k)
  local h, flat = {}, redis.call('HGETALL', k)
  for i = 1, #flat, 2 do h[flat[i]] = flat[i + 1] end
  return h
end
local function publishAgent(p, me, id)
  local msg = { k = 'agent', from = me, agent = hashOf(agentKey(p, id)) }
  msg.agent.id = id
  redis.call('PUBLISH', p .. 'events', cjson.encode(msg))
end
local function bump(p, me, id)
  local ver = redis.call('HINCRBY', agentKey(p, id), 'ver', 1)
  reindex(p, id)
  publishAgent(p, me, id)
  return ver
end
local function publish(p, me, msg)
  msg.from = me
  redis.call('PUBLISH', p .. 'events', cjson.encode(msg))
end
`;

/** ARGV: p, me, id, status, now → the agent's hash, flat (created if absent). */
export const HF_INIT_AGENT = `${HELPERS}
local p, me, id, status, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local k = agentKey(p, id)
if redis.call('EXISTS', k) == 0 then
  redis.call('HSET', k, 'status', status, 'since', now, 'idleSince', now, 'ver', 0, 'holder', '')
  redis.call('SADD', p .. 'agents', id)
  bump(p, me, id)
end
return redis.call('HGETALL', k)`;

/** ARGV: p, me, id, from, to, now → {1|0, flat hash}: a move from the status `me` believes. */
export const HF_MOVE_AGENT = `${HELPERS}
local p, me, id, from, to, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local k = agentKey(p, id)
local cur = redis.call('HGET', k, 'status')
if not cur or cur ~= from then return { 0, redis.call('HGETALL', k) } end
local holder = me
if to == 'available' or to == 'offline' then holder = '' end
redis.call('HSET', k, 'status', to, 'since', now, 'holder', holder)
if to == 'available' then redis.call('HSET', k, 'idleSince', now) end
bump(p, me, id)
return { 1, redis.call('HGETALL', k) }`;

/** ARGV: p, me, id, registration JSON. */
export const HF_REGISTER = `${HELPERS}
local p, me, id, reg = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
redis.call('SET', p .. 'reg:' .. id, reg)
reindex(p, id)
publish(p, me, { k = 'registration', agentId = id, registration = reg })
return 1`;

/** ARGV: p, me, id, uri ('' for any) → 1 when a binding was removed. */
export const HF_UNREGISTER = `${HELPERS}
local p, me, id, uri = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local cur = redis.call('GET', p .. 'reg:' .. id)
if not cur then return 0 end
if uri ~= '' and cjson.decode(cur).contact.uri ~= uri then return 0 end
redis.call('DEL', p .. 'reg:' .. id)
reindex(p, id)
publish(p, me, { k = 'registration', agentId = id })
return 1`;

/** ARGV: p, me, callId, score, entry JSON (owner included). */
export const HF_ENQUEUE = `${HELPERS}
local p, me, callId, score, entry = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
redis.call('ZADD', p .. 'queue', score, callId)
redis.call('SET', p .. 'q:' .. callId, entry)
publish(p, me, { k = 'queue' })
return 1`;

/** ARGV: p, me, callId → 1 when it was queued. */
export const HF_DEQUEUE = `${HELPERS}
local p, me, callId = ARGV[1], ARGV[2], ARGV[3]
redis.call('DEL', p .. 'q:' .. callId)
if redis.call('ZREM', p .. 'queue', callId) == 0 then return 0 end
publish(p, me, { k = 'queue' })
return 1`;

/** ARGV: p → the queued entries' JSON, in order. */
export const HF_QUEUE = `
local p = ARGV[1]
local out = {}
for _, c in ipairs(redis.call('ZRANGE', p .. 'queue', 0, -1)) do
  local e = redis.call('GET', p .. 'q:' .. c)
  if e then table.insert(out, e) end
end
return out`;

/**
 * ARGV: p, me, now, limit → {callId, agentId, ver, …}. Walks the queue in order and gives each
 * call the longest-idle available agent not in its skip list; a live instance's call keeps
 * its agent for that instance, a dead instance's call is passed over. `me`'s pairs are
 * claimed here: the call out of the queue, the agent ringing and held by `me`.
 */
export const HF_CLAIM = `${HELPERS}
local p, me, now, limit = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local calls = redis.call('ZRANGE', p .. 'queue', 0, limit - 1)
if #calls == 0 then return {} end
local agents = redis.call('ZRANGE', p .. 'available', 0, -1)
if #agents == 0 then return {} end
local taken, out, alive, left = {}, {}, {}, #agents
for _, c in ipairs(calls) do
  if left == 0 then break end
  local text = redis.call('GET', p .. 'q:' .. c)
  local e = text and cjson.decode(text)
  if e then
    local owner = e.owner
    if alive[owner] == nil then
      alive[owner] = owner == me or redis.call('EXISTS', p .. 'instance:' .. owner) == 1
    end
    if alive[owner] then
      local skip = {}
      for _, s in ipairs(e.skip or {}) do skip[s] = true end
      for _, a in ipairs(agents) do
        if not taken[a] and not skip[a] then
          taken[a] = true
          left = left - 1
          if owner == me then
            redis.call('ZREM', p .. 'queue', c)
            redis.call('DEL', p .. 'q:' .. c)
            redis.call('HSET', agentKey(p, a), 'status', 'ringing', 'since', now, 'holder', me)
            local ver = bump(p, me, a)
            table.insert(out, c)
            table.insert(out, a)
            table.insert(out, tostring(ver))
          end
          break
        end
      end
    end
  end
end
if #out > 0 then publish(p, me, { k = 'queue' }) end
return out`;

/** ARGV: p, me, callId → 1 when this call ends here. */
export const HF_END_CALL = `
local p, me, callId = ARGV[1], ARGV[2], ARGV[3]
local k = p .. 'call:' .. callId
local owner = redis.call('HGET', k, 'owner')
if owner then redis.call('SREM', p .. 'calls:' .. owner, callId) end
return redis.call('DEL', k)`;

/** ARGV: p, me, agentId, episode JSON ('' deletes) → 1. */
export const HF_SET_EPISODE = `${HELPERS}
local p, me, id, ep = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if ep == '' then
  redis.call('DEL', p .. 'ep:' .. id)
  redis.call('SREM', p .. 'episodes', id)
else
  redis.call('SET', p .. 'ep:' .. id, ep)
  redis.call('SADD', p .. 'episodes', id)
end
publish(p, me, { k = 'episode', agentId = id })
return 1`;

/** ARGV: p, me, agentId, situation → 1 when the episode exists. */
export const HF_EPISODE_SITUATION = `${HELPERS}
local p, me, id, situation = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local text = redis.call('GET', p .. 'ep:' .. id)
if not text then return 0 end
local e = cjson.decode(text)
e.situation = situation
redis.call('SET', p .. 'ep:' .. id, cjson.encode(e))
publish(p, me, { k = 'episode', agentId = id })
return 1`;

/** ARGV: p, me, nonce, nc, expiresAt → 1 when nc exceeds every count taken before. */
export const HF_USE_NONCE = `
local p, nonce, nc, at = ARGV[1], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local k = p .. 'nonce:' .. nonce
if nc <= tonumber(redis.call('GET', k) or '0') then return 0 end
redis.call('SET', k, nc, 'PXAT', at)
return 1`;

/** ARGV: p, me, now, ttlMs: this instance is alive. */
export const HF_HEARTBEAT = `
local p, me, now, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
redis.call('SET', p .. 'instance:' .. me, now, 'PX', ttl)
redis.call('ZADD', p .. 'instances', now, me)
return 1`;

/** ARGV: p → {id, lastSeen, alive (1|0), …}. */
export const HF_INSTANCES = `
local p = ARGV[1]
local out, flat = {}, redis.call('ZRANGE', p .. 'instances', 0, -1, 'WITHSCORES')
for i = 1, #flat, 2 do
  table.insert(out, flat[i])
  table.insert(out, flat[i + 1])
  table.insert(out, redis.call('EXISTS', p .. 'instance:' .. flat[i]))
end
return out`;

/**
 * ARGV: p, me, from, fate, now → Takeover JSON, or '' when `from` is alive or already taken
 * over (it leaves the instances set here, in the same step, so only one survivor acts).
 */
export const HF_TAKEOVER = `${HELPERS}
local p, me, from, fate, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('EXISTS', p .. 'instance:' .. from) == 1 then return '' end
if not redis.call('ZSCORE', p .. 'instances', from) then return '' end
redis.call('ZREM', p .. 'instances', from)
local t = { from = from, queued = {}, episodes = {}, calls = {}, freedAgents = {}, registrations = {} }
local queuedIds = {}
for _, c in ipairs(redis.call('ZRANGE', p .. 'queue', 0, -1)) do
  local text = redis.call('GET', p .. 'q:' .. c)
  local e = text and cjson.decode(text)
  if e and e.owner == from then
    e.owner = me
    redis.call('SET', p .. 'q:' .. c, cjson.encode(e))
    table.insert(t.queued, e)
    queuedIds[c] = true
  end
end
for _, id in ipairs(redis.call('SMEMBERS', p .. 'episodes')) do
  local text = redis.call('GET', p .. 'ep:' .. id)
  local e = text and cjson.decode(text)
  if e and e.owner == from then
    e.owner = me
    redis.call('SET', p .. 'ep:' .. id, cjson.encode(e))
    table.insert(t.episodes, e)
  end
end
for _, c in ipairs(redis.call('SMEMBERS', p .. 'calls:' .. from)) do
  local k = p .. 'call:' .. c
  redis.call('HSET', k, 'owner', me)
  redis.call('SADD', p .. 'calls:' .. me, c)
  if not queuedIds[c] then
    redis.call('HSET', k, 'fate', fate)
    local h = hashOf(k)
    h.callId = c
    table.insert(t.calls, h)
  end
end
redis.call('DEL', p .. 'calls:' .. from)
for _, id in ipairs(redis.call('SMEMBERS', p .. 'agents')) do
  local k = agentKey(p, id)
  if redis.call('HGET', k, 'holder') == from then
    if redis.call('HGET', k, 'status') == 'ringing' then
      redis.call('HSET', k, 'status', 'available', 'since', now, 'idleSince', now, 'holder', '')
      table.insert(t.freedAgents, id)
    else
      redis.call('HSET', k, 'holder', me)
    end
    bump(p, me, id)
  end
  local reg = redis.call('GET', p .. 'reg:' .. id)
  local r = reg and cjson.decode(reg)
  if r and r.instanceId == from then
    r.instanceId = me
    redis.call('SET', p .. 'reg:' .. id, cjson.encode(r))
    table.insert(t.registrations, r)
  end
end
publish(p, me, { k = 'queue' })
return cjson.encode(t)`;
