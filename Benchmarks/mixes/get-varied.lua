-- Benign GET mix with values that vary per request: like get.lua (API paths, query strings, an SDK's or a
-- browser's headers, a bearer token, cookies), but each of 20,000 pre-formatted requests has its own ids in the
-- path and the query, its own search terms, session cookie, bearer token and referer. Only what many clients
-- share (user agents, Accept-*) repeats. A cache of values seen before helps here only as much as in traffic
-- from many users: the mix to read beside get.lua, where 8 requests repeat.
local count = 20000
local words = { "wireless", "headphones", "garden", "chair", "kettle", "running", "shoes", "desk", "lamp",
  "coffee", "grinder", "backpack", "travel", "mug", "monitor", "stand", "yoga", "mat", "bottle", "charger" }
local agents = {
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
  "orders-sdk/2.3.1 (linux; node 20.11)",
  "okhttp/4.12.0",
}
local languages = { "en-GB,en;q=0.9,de;q=0.8", "en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9" }
local requests = {}
local index = 0

local function hex(n)
  local t = {}
  for i = 1, n do t[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(t)
end

local function token(n)
  local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
  local t = {}
  for i = 1, n do
    local k = math.random(1, #alphabet)
    t[i] = alphabet:sub(k, k)
  end
  return table.concat(t)
end

local function path(i)
  local kind = i % 6
  if kind == 0 then
    return string.format("/api/orders?page=%d&per_page=25&sort=-created_at", math.random(1, 400))
  elseif kind == 1 then
    return string.format("/api/orders/%s-%s-%s-%s-%s", hex(8), hex(4), hex(4), hex(4), hex(12))
  elseif kind == 2 then
    return string.format("/api/search?q=%s+%s&min_price=%d&max_price=%d", words[math.random(#words)],
      words[math.random(#words)], math.random(1, 50), math.random(60, 900))
  elseif kind == 3 then
    return string.format("/api/products?ids=%d,%d,%d&include=inventory,pricing", math.random(1000, 9999),
      math.random(1000, 9999), math.random(1000, 9999))
  elseif kind == 4 then
    return string.format("/api/reviews?product=%d&limit=10&cursor=%s", math.random(1000, 9999), token(16))
  end
  return string.format("/api/users/%d/cart?session=%s&currency=EUR", math.random(1, 99999), hex(10))
end

function init(args)
  math.randomseed(42)
  for i = 1, count do
    local headers = {
      ["Host"] = "shop.example.com",
      ["User-Agent"] = agents[math.random(#agents)],
      ["Accept"] = "application/json, text/plain, */*",
      ["Accept-Language"] = languages[math.random(#languages)],
      ["Accept-Encoding"] = "gzip, deflate, br",
      ["Authorization"] = "Bearer " .. token(36) .. "." .. token(48) .. "." .. token(22),
      ["Cookie"] = "session=" .. hex(16) .. "; theme=dark; consent=analytics%3Dfalse",
      ["Referer"] = string.format("https://shop.example.com/products/%d", math.random(1000, 9999)),
    }
    requests[i] = wrk.format("GET", path(i), headers)
  end
end

function request()
  index = index % count + 1
  return requests[index]
end
