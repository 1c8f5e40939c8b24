// TollgateLimiter
