/// The plain-value storage behind `DOMMirror`: nothing in it holds a reference, so building,
/// changing and freeing nodes allocates nothing per node and counts no references, and the
/// selector matcher reads it through plain pointers.

/// A growable array of plain values (no references inside `T`) in memory its owner frees
/// with `free()`. No uniqueness or exclusivity check per access: one owner, one thread. A
/// copy shares the memory (the selector matcher takes one to read through): only the owner
/// may append, and no copy may be used after the owner grows or frees it.
struct PODArray<T> {
    private(set) var base: UnsafeMutablePointer<T>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    func free() { base.deallocate() }

    @inline(__always) subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    @inline(__always) mutating func append(_ x: T) {
        if count == capacity { grow(to: capacity * 2) }
        (base + count).initialize(to: x)
        count &+= 1
    }

    mutating func append(contentsOf b: UnsafeRawBufferPointer) where T == UInt8 {
        if count + b.count > capacity { grow(to: max(capacity * 2, count + b.count)) }
        if let src = b.baseAddress, b.count > 0 { UnsafeMutableRawPointer(base + count).copyMemory(from: src, byteCount: b.count) }
        count += b.count
    }

    /// Makes `i` a valid index, new elements set to `fill`.
    mutating func extend(through i: Int, with fill: T) {
        guard i >= count else { return }
        if i >= capacity {
            var c = capacity
            while c <= i { c *= 2 }
            grow(to: c)
        }
        (base + count).initialize(repeating: fill, count: i + 1 - count)
        count = i + 1
    }

    mutating func popLast() -> T? {
        guard count > 0 else { return nil }
        count -= 1
        return base[count]
    }

    mutating func removeAll() { count = 0 }

    private mutating func grow(to c: Int) {
        let bigger = UnsafeMutablePointer<T>.allocate(capacity: c)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = c
    }
}

/// Element and attribute names, each stored once and named by a small number (an atom): the
/// same spelling always gets the same atom, so names compare as integers. A page uses a few
/// dozen names; they stay for the mirror's life. Copies share the storage, as `PODArray`'s do:
/// only the mirror adds names.
struct NameTable {
    private var bytes = PODArray<UInt8>(capacity: 1024)
    /// Per atom: where its bytes are, and the atom of its ASCII lower case.
    private var starts = PODArray<Int32>(capacity: 64)
    private var lengths = PODArray<Int32>(capacity: 64)
    private var lowers = PODArray<Int32>(capacity: 64)
    /// Open addressing by hash: atom + 1 per slot, 0 for empty.
    private var slots = PODArray<Int32>(capacity: 128)

    init() { slots.extend(through: 127, with: 0) }

    func free() { bytes.free(); starts.free(); lengths.free(); lowers.free(); slots.free() }

    @inline(__always) func bytes(_ atom: Int32) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: bytes.base + Int(starts[Int(atom)]), count: Int(lengths[Int(atom)]))
    }

    @inline(__always) func lower(_ atom: Int32) -> Int32 { lowers[Int(atom)] }

    /// The atom of `name` (and of its lower case), added if new.
    mutating func atom(_ name: UnsafeRawBufferPointer) -> Int32 {
        let h = NameTable.hash(name)
        let mask = slots.count - 1
        var k = Int(h) & mask
        while true {
            let a = slots[k]
            if a == 0 { break }
            if equal(a - 1, name) { return a - 1 }
            k = (k + 1) & mask
        }
        let atom = Int32(starts.count)
        starts.append(Int32(bytes.count))
        lengths.append(Int32(name.count))
        bytes.append(contentsOf: name)
        lowers.append(atom)
        slots[k] = atom + 1
        if starts.count * 2 > slots.count { rehash() }
        if name.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) {
            let folded = name.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            let l = folded.withUnsafeBytes { self.atom($0) }
            lowers[Int(atom)] = l
        }
        return atom
    }

    private func equal(_ atom: Int32, _ name: UnsafeRawBufferPointer) -> Bool {
        let b = bytes(atom)
        guard b.count == name.count else { return false }
        for i in 0..<b.count where b[i] != name[i] { return false }
        return true
    }

    private mutating func rehash() {
        let size = slots.count * 2
        slots.removeAll()
        slots.extend(through: size - 1, with: 0)
        for atom in 0..<Int32(starts.count) {
            var k = Int(NameTable.hash(UnsafeRawBufferPointer(bytes(atom)))) & (size - 1)
            while slots[k] != 0 { k = (k + 1) & (size - 1) }
            slots[k] = atom + 1
        }
    }

    /// FNV-1a: names are short, and the table is private to one mirror.
    @inline(__always) static func hash(_ b: UnsafeRawBufferPointer) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for c in b { h = (h ^ UInt32(c)) &* 16_777_619 }
        return h
    }
}
