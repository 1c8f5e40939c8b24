-- 50/50 mix: every other request is benign (GET with query, or a JSON POST), the others carry a
-- classic attack in a query parameter or a JSON field (SQL injection, XSS, path traversal, command
-- injection, PHP/Java code). A blocking WAF answers the attacks with 403; wrk counts them as non-2xx.
local base = {
  ["Host"] = "shop.example.com",
  ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
  ["Accept"] = "application/json, text/plain, */*",
  ["Accept-Language"] = "en-GB,en;q=0.9",
  ["Cookie"] = "session=3f9a7c1e5b; theme=dark",
}
local json = {}
for k, v in pairs(base) do json[k] = v end
json["Content-Type"] = "application/json"

local benign = {
  { "GET", "/api/search?q=wireless+headphones&category=audio&min_price=50" },
  { "GET", "/api/orders?page=2&per_page=25&sort=-created_at" },
  { "POST", "/api/comments", [[{"product":1042,"rating":5,"comment":"Great sound and the battery lasts all week"}]] },
  { "GET", "/api/reviews?product=1042&lang=en-GB&limit=10" },
}
local attacks = {
  { "GET", "/api/search?q=1%27%20OR%20%271%27%3D%271%27%20--%20" },
  { "GET", "/api/search?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E" },
  { "GET", "/api/files?path=..%2F..%2F..%2F..%2Fetc%2Fpasswd" },
  { "GET", "/api/ping?host=127.0.0.1%3Bcat%20%2Fetc%2Fpasswd" },
  { "POST", "/api/comments", [[{"product":1042,"comment":"x' UNION SELECT username, password FROM users -- "}]] },
  { "GET", "/api/products?sort=name%20AND%201%3D1%20UNION%20ALL%20SELECT%20NULL%2CNULL--" },
}
local requests = {}
local index = 0

function init(args)
  local n = math.max(#benign, #attacks)
  for i = 1, n do
    local b = benign[(i - 1) % #benign + 1]
    local a = attacks[(i - 1) % #attacks + 1]
    for _, r in ipairs({ b, a }) do
      if r[1] == "POST" then
        requests[#requests + 1] = wrk.format("POST", r[2], json, r[3])
      else
        requests[#requests + 1] = wrk.format("GET", r[2], base)
      end
    end
  end
end

function request()
  index = index % #requests + 1
  return requests[index]
end
