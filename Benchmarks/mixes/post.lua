-- Benign JSON POST mix: an order submission of exactly N bytes (`-- N` after the URL; default 1024),
-- sent as application/json with an SDK's headers. Larger sizes add order lines, then pad one field.
local headers = {
  ["Host"] = "shop.example.com",
  ["User-Agent"] = "orders-sdk/2.3.1 (linux; node 20.11)",
  ["Accept"] = "application/json",
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLW5vdC1yZWFs",
  ["X-Request-Source"] = "checkout",
}
local head = [[{"order_id":"7f3c2a9e-1b4d-4c1e-9a8f-0d2b6c5e4a11","customer":{"id":"user-42","name":"Siobhan Oneill","email":"siobhan.oneill@example.com","phone":"+44 20 7946 0958"},"shipping":{"street":"221B Baker Street","city":"London","postcode":"NW1 6XE","country":"GB","instructions":"Leave with the concierge at the front desk"},"currency":"GBP","created_at":"2024-05-17T09:41:23Z","items":[]]
local item = [[{"sku":"HP-%04d","name":"Wireless headphones model %d","qty":%d,"unit_price":%d.99,"gift_wrap":false}]]
local tail = [[],"totals":{"subtotal":148.99,"shipping":4.99,"tax":30.8},"metadata":{"campaign":"spring-sale","client":"web-4.12.0"},"pad":"]]

-- Builds a body of exactly `size` bytes (at least the fixed parts; padded with letters).
local function body_of(size)
  local parts = { head }
  local length = #head + #tail + 2
  local n = 0
  while n < 100000 do
    local next_item = (n > 0 and "," or "") .. string.format(item, 1000 + n, n + 1, n % 3 + 1, 10 + n % 90)
    if length + #next_item + 16 > size then break end
    parts[#parts + 1] = next_item
    length = length + #next_item
    n = n + 1
  end
  local fill = size - length
  if fill < 0 then fill = 0 end
  parts[#parts + 1] = tail .. string.rep("x", fill) .. [["}]]
  return table.concat(parts)
end

local req

function init(args)
  local size = tonumber(args[1] or "1024") or 1024
  req = wrk.format("POST", "/api/orders", headers, body_of(size))
end

function request()
  return req
end
