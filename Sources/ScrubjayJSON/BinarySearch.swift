/// The first index in `0..<count` at which `isBefore` is false, for a predicate true on a
/// prefix of the indices and false after it (a sorted list searched by halves): the
/// searches of sorted offsets and ranges across the modules (the tape's large containers,
/// an object's removed members, the DOM mirror's built nodes, the page's skipped ranges).
@inlinable
public func partitionPoint(_ count: Int, _ isBefore: (Int) -> Bool) -> Int {
    var lo = 0, hi = count
    while lo < hi {
        let mid = (lo + hi) / 2
        if isBefore(mid) { lo = mid + 1 } else { hi = mid }
    }
    return lo
}
