-- Benign 1 KiB JSON POST mix: an order submission with realistic fields, sent as application/json.
local headers = {
  ["User-Agent"] = "orders-sdk/2.3.1 (linux; node 20.11)",
  ["Accept"] = "application/json",
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLW5vdC1yZWFs",
  ["X-Request-Source"] = "checkout",
}
local body = [[{"order_id":"7f3c2a9e-1b4d-4c1e-9a8f-0d2b6c5e4a11","customer":{"id":"user-42","name":"Siobhán O'Neill","email":"siobhan.oneill@example.com","phone":"+44 20 7946 0958"},"shipping":{"street":"221B Baker Street","city":"London","postcode":"NW1 6XE","country":"GB","instructions":"Leave with the concierge, not the neighbour's porch."},"items":[{"sku":"HP-1042","name":"Wireless headphones","qty":1,"unit_price":129.99},{"sku":"CB-0007","name":"USB-C cable (2 m)","qty":2,"unit_price":9.5}],"coupon":null,"gift":false,"note":"Please select the best option for delivery; the 3rd floor door code is 4711.","created_at":"2024-05-17T09:41:23Z","currency":"GBP","totals":{"subtotal":148.99,"shipping":4.99,"tax":30.8,"total":184.78},"metadata":{"campaign":"spring-sale","ab_bucket":"B","client":"web-4.12.0"}]]

-- Pad to exactly 1024 bytes with a trailing field so the mix is a true 1 KiB body.
local padding = 1024 - #body - #[[,"pad":""}]] + 1
body = body:sub(1, #body - 1) .. [[,"pad":"]] .. string.rep("x", padding) .. [["}]]

local req

function init(args)
  req = wrk.format("POST", "/api/orders", headers, body)
end

function request()
  return req
end
