/// A rolling window made of `buckets` fixed sub-buckets of `bucketNanoseconds` each, over a flat
/// `[UInt64]` storage shared by many keys (`lanes` counters per sub-bucket).
///
/// A key's window lives at `storage[base ..< base + buckets × lanes]`; the sub-bucket for absolute bucket
/// number `b = now / bucketNanoseconds` is `b % buckets`. `epoch` (the low 32 bits of the newest bucket
/// number written) lets `advance` clear the sub-buckets that fell out of the window. The window covers
/// `(buckets − 1) × bucketNanoseconds` plus the current partial bucket, so its accuracy is one
/// sub-bucket: a cost leaves the window between `window − bucket` and `window` after it was charged.
struct RollingWindow: Sendable, Equatable {
    let buckets: Int
    let lanes: Int
    let bucketNanoseconds: UInt64

    var stride: Int { buckets * lanes }

    init(windowNanoseconds: UInt64, buckets: Int, lanes: Int) {
        self.buckets = buckets
        self.lanes = lanes
        self.bucketNanoseconds = max(1, windowNanoseconds / UInt64(buckets))
    }

    @inline(__always)
    func bucketNumber(_ now: UInt64) -> UInt64 { now / bucketNanoseconds }

    /// Sub-buckets elapsed since `epoch` (wrapping-safe for 2³² buckets).
    @inline(__always)
    func age(epoch: UInt32, now: UInt64) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: bucketNumber(now)) &- epoch)
    }

    /// Clears the sub-buckets that left the window and makes `now`'s bucket current.
    func advance(_ storage: inout [UInt64], base: Int, epoch: inout UInt32, now: UInt64) {
        let current = bucketNumber(now)
        let elapsed = UInt64(UInt32(truncatingIfNeeded: current) &- epoch)
        if elapsed == 0 { return }
        if elapsed >= UInt64(buckets) {
            for i in base..<(base + stride) { storage[i] = 0 }
        } else {
            var b = current - elapsed + 1
            while b <= current {
                let slot = base + Int(b % UInt64(buckets)) * lanes
                for l in 0..<lanes { storage[slot + l] = 0 }
                b += 1
            }
        }
        epoch = UInt32(truncatingIfNeeded: current)
    }

    /// Sum of one lane over the window (call `advance` first).
    func sum(_ storage: [UInt64], base: Int, lane: Int) -> UInt64 {
        var total: UInt64 = 0
        for i in 0..<buckets {
            let (s, o) = total.addingReportingOverflow(storage[base + i * lanes + lane])
            total = o ? .max : s
        }
        return total
    }

    /// True when every counter is zero or has left the window: equivalent to a fresh key.
    func isEmpty(_ storage: [UInt64], base: Int, epoch: UInt32, now: UInt64) -> Bool {
        if age(epoch: epoch, now: now) >= UInt64(buckets) { return true }
        for i in base..<(base + stride) where storage[i] != 0 { return false }
        return true
    }

    /// Adds `amount` to `lane` of absolute bucket `bucket` (saturating).
    func add(_ storage: inout [UInt64], base: Int, bucket: UInt64, lane: Int, amount: UInt64) {
        let i = base + Int(bucket % UInt64(buckets)) * lanes + lane
        let (s, o) = storage[i].addingReportingOverflow(amount)
        storage[i] = o ? .max : s
    }

    /// Subtracts `amount` from `lane` of absolute bucket `bucket` (floored at zero).
    func subtract(_ storage: inout [UInt64], base: Int, bucket: UInt64, lane: Int, amount: UInt64) {
        let i = base + Int(bucket % UInt64(buckets)) * lanes + lane
        storage[i] = storage[i] > amount ? storage[i] - amount : 0
    }

    /// True when absolute bucket `bucket` is still inside the window at `now`.
    func contains(bucket: UInt64, now: UInt64) -> Bool {
        let current = bucketNumber(now)
        return bucket <= current && current - bucket < UInt64(buckets)
    }

    /// Nanoseconds until enough old sub-buckets leave the window that `lane` drops to at most
    /// `target`; nil when even an empty window would not do (the caller then reports the full window).
    func timeUntil(_ storage: [UInt64], base: Int, lane: Int, atMost target: UInt64, now: UInt64) -> UInt64? {
        let current = bucketNumber(now)
        var total = sum(storage, base: base, lane: lane)
        if total <= target { return 0 }
        // The oldest bucket in the window is current − buckets + 1; it leaves at (current + 1) × width.
        for k in 0..<UInt64(buckets) {
            let leaving = current &+ k &+ 1 &- UInt64(buckets)
            if leaving <= current, current - leaving < UInt64(buckets) {
                let v = storage[base + Int(leaving % UInt64(buckets)) * lanes + lane]
                total = total > v ? total - v : 0
            }
            if total <= target {
                return (current + k + 1) * bucketNanoseconds - now
            }
        }
        return nil
    }
}
