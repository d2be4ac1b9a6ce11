extension Array {
    /// Reverses the elements from `start` to the end, in place. The walks over a tape keep an
    /// explicit stack: children pushed in document order and then reversed are popped in
    /// document order. (Reversing the slice `self[start...]` instead may copy the array.)
    @inlinable public mutating func reverseTail(from start: Int) {
        withUnsafeMutableBufferPointer { b in
            var lo = start, hi = b.count - 1
            while lo < hi {
                b.swapAt(lo, hi)
                lo += 1
                hi -= 1
            }
        }
    }
}
