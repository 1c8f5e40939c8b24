/// The Lua scripts of the Redis limit store: one atomic round trip per admission and one per settlement.
///
/// Units: all times in microseconds of the caller's wall clock (`now` is an argument; see docs/redis.md for
/// the clock assumption), money in picodollars and compute in micro-GB-seconds (integers, as the local
/// limiter). Numbers are written back with `string.format('%d')` because Lua 5.1 would print large
/// numbers in exponent form, which Redis refuses as an integer.
enum RedisScripts {
    static let admitIndex = 0
    static let settleIndex = 1
    static let all = [RedisScript(name: "admit", source: admit), RedisScript(name: "settle", source: settle)]

    /// Shared Lua helpers (prepended to both scripts).
    static let helpers = """
        local function int(v) return string.format('%d', v) end
        local function fixed(v)
          if v <= 0 then return 0 end
          local n = math.floor(v + 0.5)
          if math.abs(v - n) <= 1e-6 then return n end
          return math.ceil(v)
        end
        local ttl_slack = 0
        local function expire_us(key, us)
          local ms = math.ceil((us + ttl_slack) / 1000)
          if ms < 1 then ms = 1 end
          redis.call('PEXPIRE', key, int(ms))
        end
        -- Per-bucket sums of a budget hash (fields m<bucket>, g<bucket>); drops buckets out of the window.
        local function budget_read(key, cur, buckets)
          local all = redis.call('HGETALL', key)
          local m, g, mb, gb = 0, 0, {}, {}
          for i = 1, #all, 2 do
            local f = all[i]
            local b = tonumber(string.sub(f, 2))
            local v = tonumber(all[i + 1])
            if b == nil or b <= cur - buckets then
              redis.call('HDEL', key, f)
            elseif string.sub(f, 1, 1) == 'm' then
              m = m + v; mb[b] = (mb[b] or 0) + v
            else
              g = g + v; gb[b] = (gb[b] or 0) + v
            end
          end
          return m, g, mb, gb
        end
        -- When enough old buckets leave the window for `amount` to fit under `max` (us from now).
        local function budget_wait(per, used, max, amount, cur, buckets, width, window, now)
          if amount > max then return window end
          local freed = 0
          for b = cur - buckets + 1, cur do
            freed = freed + (per[b] or 0)
            if used - freed + amount <= max then return (b + buckets) * width - now end
          end
          return window
        end

        """

    /// Admission. KEYS: 1 client TAT, 2 function TAT, 3 function permits (ZSET id → expiry),
    /// 4 client permits, 5 active clients (ZSET client → expiry of its last permit), 6 client budget
    /// (HASH), 7 function budget, 8 function duration average (HASH field d, microseconds).
    ///
    /// ARGV: 1 now; 2, 3 client rate T and tau (0: none); 4, 5 function rate T and tau; 6 function
    /// concurrency cap (0: none); 7 client cap (0: none); 8 fair share (1/0); 9 fair-share floor;
    /// 10 permit id; 11 permit TTL; 12 client member; 13 timeout (the reservation fallback); 14 use the
    /// average (1/0); 15 memory MB; 16 picodollars per request; 17 picodollars per GB-second;
    /// 18..21 client budget: max picodollars (-1: none), max micro-GB-s (-1), window (0: no budget),
    /// buckets; 22..25 function budget likewise; 26 shadow (1/0); 27, 28 client/function budget degrades
    /// (1/0); 29 TTL slack (added to every key's TTL).
    ///
    /// Checks in the local limiter's order (client rate, function rate, function concurrency, client
    /// concurrency, client budget, function budget) and changes nothing unless all pass (or in shadow
    /// mode). Reply: {status (1 admitted, 0 refused, 2 shadow: would refuse), kind (1-based position
    /// in that order, 0 none), retry, client remaining, client reset, function remaining, function reset
    /// (-1: no such rate), client budget money left, GB-s left (-1: none), reserved picodollars,
    /// reserved micro-GB-s, degraded kind (0 none), function budget picodollars and micro-GB-s used in
    /// the window before this request (-1: no function budget)}: the last two, with the reservation,
    /// feed the `tollgate_function_budget_remaining_*` gauges without another round trip.
    static let admit =
        helpers + """
            local now = tonumber(ARGV[1])
            ttl_slack = tonumber(ARGV[29])
            local fail_kind, retry = 0, 0
            local function fail(kind, r) if fail_kind == 0 then fail_kind = kind; retry = r end end

            -- 1, 2: rates (peek).
            local function gcra(key, T, tau)
              local tat = tonumber(redis.call('GET', key) or '0')
              local new = math.max(tat, now) + T
              if new - tau > now then
                local reset = 0
                if tat > now then reset = tat - now end
                return nil, new - tau - now, 0, reset
              end
              return new, 0, math.floor((now + tau - new) / T), new - now
            end
            local cT, cTau, fT, fTau = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
            local c_new, c_rem, c_reset, f_new, f_rem, f_reset = nil, -1, 0, nil, -1, 0
            if cT > 0 then
              local r
              c_new, r, c_rem, c_reset = gcra(KEYS[1], cT, cTau)
              if c_new == nil then fail(1, r); c_reset = r end
            end
            if fT > 0 then
              local r
              f_new, r, f_rem, f_reset = gcra(KEYS[2], fT, fTau)
              if f_new == nil then fail(2, r); f_reset = r end
            end

            -- Expected duration and cost.
            local expected = tonumber(ARGV[13])
            if ARGV[14] == '1' then
              local avg = redis.call('HGET', KEYS[8], 'd')
              if avg then expected = tonumber(avg) end
            end
            local gbs = expected / 1e6 * tonumber(ARGV[15]) / 1024
            local cost_m = fixed(tonumber(ARGV[16]) + gbs * tonumber(ARGV[17]))
            local cost_g = fixed(gbs * 1e6)

            -- 3, 4: concurrency (expired permits pruned first).
            redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', int(now))
            redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', int(now))
            redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', int(now))
            local fcap, ccap = tonumber(ARGV[6]), tonumber(ARGV[7])
            local fin = redis.call('ZCARD', KEYS[3])
            local cin = redis.call('ZCARD', KEYS[4])
            if fcap > 0 and fin >= fcap then fail(3, expected) end
            local cap = 65535
            if ccap > 0 then cap = ccap end
            if ARGV[8] == '1' and fcap > 0 then
              local active = redis.call('ZCARD', KEYS[5])
              if cin == 0 then active = active + 1 end
              local share = math.ceil(fcap / math.max(active, 1))
              cap = math.min(cap, math.max(tonumber(ARGV[9]), share))
            end
            if cin >= cap then fail(4, expected) end

            -- 5, 6: budgets (predictive: the expected cost must fit).
            local degraded = 0
            local cb_m, cb_g = -1, -1
            local fb_used_m, fb_used_g = -1, -1
            local budgets = {}
            local function budget(key, base, kind, degrade_flag)
              local window = tonumber(ARGV[base + 2])
              if window <= 0 then return end
              local buckets = tonumber(ARGV[base + 3])
              local width = math.max(1, math.floor(window / buckets))
              local cur = math.floor(now / width)
              local used_m, used_g, mb, gb = budget_read(key, cur, buckets)
              local max_m, max_g = tonumber(ARGV[base]), tonumber(ARGV[base + 1])
              local wait = -1
              local left_m, left_g = -1, -1
              if max_m >= 0 then
                left_m = math.max(0, max_m - used_m)
                if cost_m > left_m then
                  wait = math.max(wait, budget_wait(mb, used_m, max_m, cost_m, cur, buckets, width, window, now))
                else
                  left_m = left_m - cost_m
                end
              end
              if max_g >= 0 then
                left_g = math.max(0, max_g - used_g)
                if cost_g > left_g then
                  wait = math.max(wait, budget_wait(gb, used_g, max_g, cost_g, cur, buckets, width, window, now))
                else
                  left_g = left_g - cost_g
                end
              end
              budgets[#budgets + 1] = {key, cur, width, window}
              if kind == 6 then fb_used_m, fb_used_g = used_m, used_g end
              if wait >= 0 and fail_kind == 0 then
                if degrade_flag == '1' then
                  if degraded == 0 then degraded = kind end
                else
                  fail(kind, wait)
                end
              end
              return left_m, left_g
            end
            cb_m, cb_g = budget(KEYS[6], 18, 5, ARGV[27])
            if cb_m == nil then cb_m, cb_g = -1, -1 end
            local fb_m, fb_g = budget(KEYS[7], 22, 6, ARGV[28])
            if fail_kind == 6 then cb_m, cb_g = fb_m or -1, fb_g or -1 end

            local shadow = ARGV[26] == '1'
            if shadow and fail_kind == 0 and degraded ~= 0 then fail(degraded, 0) end
            if fail_kind ~= 0 then
              -- Nothing was consumed: report the rates without this request.
              if c_new then c_rem = c_rem + 1; c_reset = math.max(0, c_new - cT - now) end
              if f_new then f_rem = f_rem + 1; f_reset = math.max(0, f_new - fT - now) end
              local status = 0
              if shadow then status = 2 end
              return {status, fail_kind, math.floor(retry), c_rem, math.floor(c_reset), f_rem, math.floor(f_reset),
                      cb_m, cb_g, 0, 0, 0, fb_used_m, fb_used_g}
            end

            -- Commit: every check passed.
            if c_new then redis.call('SET', KEYS[1], int(c_new), 'PX', int(math.max(1, math.ceil((c_new - now + ttl_slack) / 1000)))) end
            if f_new then redis.call('SET', KEYS[2], int(f_new), 'PX', int(math.max(1, math.ceil((f_new - now + ttl_slack) / 1000)))) end
            local ttl = tonumber(ARGV[11])
            local expiry = now + ttl
            redis.call('ZADD', KEYS[3], int(expiry), ARGV[10])
            redis.call('ZADD', KEYS[4], int(expiry), ARGV[10])
            redis.call('ZADD', KEYS[5], int(expiry), ARGV[12])
            expire_us(KEYS[3], ttl); expire_us(KEYS[4], ttl); expire_us(KEYS[5], ttl)
            local res_m, res_g = 0, 0
            if degraded == 0 then
              res_m, res_g = cost_m, cost_g
              for _, b in ipairs(budgets) do
                redis.call('HINCRBY', b[1], 'm' .. int(b[2]), int(cost_m))
                redis.call('HINCRBY', b[1], 'g' .. int(b[2]), int(cost_g))
                expire_us(b[1], b[4] + b[3])
              end
            end
            return {1, 0, 0, c_rem, math.floor(c_reset), f_rem, math.floor(f_reset), cb_m, cb_g, res_m, res_g, degraded,
                    fb_used_m, fb_used_g}
            """

    /// Settlement. KEYS: 1 function permits, 2 client permits, 3 active clients, 4 client budget,
    /// 5 function budget, 6 function duration average.
    ///
    /// ARGV: 1 now; 2 permit id; 3 client member; 4, 5 reserved picodollars and micro-GB-s; 6, 7 measured
    /// cost; 8 admission time; 9, 10 client budget window and buckets (0: none); 11, 12 function budget
    /// window and buckets; 13 duration sample for the average (-1: none); 14 smoothing; 15 average TTL;
    /// 16 TTL slack.
    ///
    /// A permit that is no longer held (already settled, or expired: its reservation stays as the charge)
    /// changes nothing. Reply: {1 released / 0 not held, function budget picodollars and micro-GB-s used
    /// in the window after this settlement (-1: not settled there)}, for the remaining-budget gauges.
    static let settle =
        helpers + """
            local now = tonumber(ARGV[1])
            ttl_slack = tonumber(ARGV[16])
            local removed = redis.call('ZREM', KEYS[1], ARGV[2]) + redis.call('ZREM', KEYS[2], ARGV[2])
            if removed == 0 then return {0, -1, -1} end
            if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('ZREM', KEYS[3], ARGV[3]) end
            local res_m, res_g = tonumber(ARGV[4]), tonumber(ARGV[5])
            local act_m, act_g = tonumber(ARGV[6]), tonumber(ARGV[7])
            local admitted = tonumber(ARGV[8])
            local function settle(key, window, buckets)
              if window <= 0 then return end
              local width = math.max(1, math.floor(window / buckets))
              local cur = math.floor(now / width)
              local at = math.floor(admitted / width)
              if at > cur - buckets and redis.call('EXISTS', key) == 1 then
                redis.call('HINCRBY', key, 'm' .. int(at), int(act_m - res_m))
                redis.call('HINCRBY', key, 'g' .. int(at), int(act_g - res_g))
              else
                redis.call('HINCRBY', key, 'm' .. int(cur), int(act_m))
                redis.call('HINCRBY', key, 'g' .. int(cur), int(act_g))
              end
              expire_us(key, window + width)
            end
            settle(KEYS[4], tonumber(ARGV[9]), tonumber(ARGV[10]))
            settle(KEYS[5], tonumber(ARGV[11]), tonumber(ARGV[12]))
            local fb_used_m, fb_used_g = -1, -1
            local f_window = tonumber(ARGV[11])
            if f_window > 0 then
              local f_buckets = tonumber(ARGV[12])
              fb_used_m, fb_used_g = budget_read(KEYS[5], math.floor(now / math.max(1, math.floor(f_window / f_buckets))), f_buckets)
            end
            local sample = tonumber(ARGV[13])
            if sample >= 0 then
              local old = redis.call('HGET', KEYS[6], 'd')
              local avg = sample
              if old then avg = tonumber(old) + tonumber(ARGV[14]) * (sample - tonumber(old)) end
              redis.call('HSET', KEYS[6], 'd', int(math.floor(avg + 0.5)))
              expire_us(KEYS[6], tonumber(ARGV[15]))
            end
            return {1, fb_used_m, fb_used_g}
            """
}
