-- Benign GET mix: API paths with query strings and the headers a browser or SDK sends (user agent,
-- accept-*, a bearer token, cookies, referer). Host is a name: CRS scores a bare IP in Host.
-- Requests are formatted once in init() and cycled, so wrk spends no time per request on Lua.
local paths = {
  "/api/orders?page=2&per_page=25&sort=-created_at",
  "/api/orders/7f3c2a9e-1b4d-4c1e-9a8f-0d2b6c5e4a11",
  "/api/search?q=wireless+headphones&category=audio&min_price=50&max_price=200",
  "/api/users/me/preferences?fields=theme,language,notifications",
  "/api/products?ids=1042,1043,1051&include=inventory,pricing",
  "/api/reviews?product=1042&lang=en-GB&limit=10&cursor=eyJpZCI6MTIzNH0",
  "/api/health",
  "/api/cart?session=9b1e4c7d2a&currency=EUR",
}
local headers = {
  ["Host"] = "shop.example.com",
  ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
  ["Accept"] = "application/json, text/plain, */*",
  ["Accept-Language"] = "en-GB,en;q=0.9,de;q=0.8",
  ["Accept-Encoding"] = "gzip, deflate, br",
  ["Authorization"] = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLW5vdC1yZWFs",
  ["Cookie"] = "session=3f9a7c1e5b; theme=dark; consent=analytics%3Dfalse",
  ["Referer"] = "https://shop.example.com/products/1042",
  ["X-Client-Version"] = "web-4.12.0",
}
local requests = {}
local index = 0

function init(args)
  for i, path in ipairs(paths) do
    requests[i] = wrk.format("GET", path, headers)
  end
end

function request()
  index = index % #requests + 1
  return requests[index]
end
