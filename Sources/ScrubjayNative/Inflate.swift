// zlib: every call into libz lives in this file. Decompression only.

import CZlib

/// The container around a DEFLATE stream.
public enum InflateFormat: String, Sendable, Equatable {
    /// RFC 1952 gzip (windowBits 16+15); concatenated members are decoded one after another.
    case gzip
    /// RFC 1950 zlib (windowBits 15).
    case zlib
    /// RFC 1951 raw DEFLATE with no header (windowBits -15), as inside ZIP entries.
    case raw
}

/// An error from decompressing; `offset` is how many input bytes were consumed when it happened.
public enum InflateError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The input is not valid data in `format`; `message` is zlib's own explanation.
    case corrupt(format: InflateFormat, message: String, offset: Int)
    /// The input ended before the end of the compressed stream.
    case truncated(format: InflateFormat, offset: Int)
    /// The decompressed output would be larger than `limit` bytes (a zip-bomb guard).
    case outputLimitExceeded(format: InflateFormat, limit: Int, offset: Int)
    /// Bytes follow the end of the compressed stream that are not another gzip member.
    case trailingData(format: InflateFormat, offset: Int, count: Int)
    /// The zlib stream needs a preset dictionary, which is not supported.
    case needsDictionary(offset: Int)
    /// zlib could not start or failed internally (for example, out of memory).
    case zlibFailure(code: Int32, message: String)

    /// A message naming the byte offset and what to check.
    public var description: String {
        switch self {
        case let .corrupt(format, message, offset):
            return "\(format.displayName) data is corrupt at input byte \(offset): \(message)"
        case let .truncated(format, offset):
            return "\(format.displayName) data is truncated: input ended after \(offset) bytes "
                + "before the end of the compressed stream; the file is incomplete"
        case let .outputLimitExceeded(format, limit, offset):
            return "\(format.displayName) data expands to more than \(limit) bytes "
                + "(stopped at input byte \(offset)); refusing to decompress further"
        case let .trailingData(format, offset, count):
            return "\(count) unexpected bytes follow the end of the \(format.displayName) stream at input byte \(offset)"
        case let .needsDictionary(offset):
            return "zlib stream needs a preset dictionary (at input byte \(offset)), which is not supported"
        case let .zlibFailure(code, message):
            return "zlib failed (code \(code)): \(message)"
        }
    }
}

extension InflateFormat {
    fileprivate var displayName: String {
        switch self {
        case .gzip: return "gzip"
        case .zlib: return "zlib"
        case .raw: return "raw DEFLATE"
        }
    }

    fileprivate var windowBits: Int32 {
        switch self {
        case .gzip: return 16 + 15
        case .zlib: return 15
        case .raw: return -15
        }
    }
}

/// One-shot decompression of gzip, zlib and raw DEFLATE data with an output-size limit.
public enum Inflate {
    /// The default output limit: 2 GiB.
    public static let defaultMaxOutput = 1 << 31

    /// Decompresses gzip data (all concatenated members); throws if the output would exceed `maxOutput` bytes.
    public static func gzip(_ bytes: [UInt8], maxOutput: Int = defaultMaxOutput) throws(InflateError) -> [UInt8] {
        try decompress(bytes, format: .gzip, maxOutput: maxOutput)
    }

    /// Decompresses zlib (RFC 1950) data; throws if the output would exceed `maxOutput` bytes.
    public static func zlib(_ bytes: [UInt8], maxOutput: Int = defaultMaxOutput) throws(InflateError) -> [UInt8] {
        try decompress(bytes, format: .zlib, maxOutput: maxOutput)
    }

    /// Decompresses raw DEFLATE (RFC 1951) data; throws if the output would exceed `maxOutput` bytes.
    public static func raw(_ bytes: [UInt8], maxOutput: Int = defaultMaxOutput) throws(InflateError) -> [UInt8] {
        try decompress(bytes, format: .raw, maxOutput: maxOutput)
    }

    /// Decompresses `bytes` in `format`; throws if the output would exceed `maxOutput` bytes.
    public static func decompress(
        _ bytes: [UInt8], format: InflateFormat, maxOutput: Int = defaultMaxOutput
    ) throws(InflateError) -> [UInt8] {
        let result: Result<[UInt8], InflateError> = bytes.withUnsafeBufferPointer { input in
            do throws(InflateError) {
                return .success(try inflateAll(input, format: format, maxOutput: maxOutput))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func inflateAll(
        _ input: UnsafeBufferPointer<UInt8>, format: InflateFormat, maxOutput: Int
    ) throws(InflateError) -> [UInt8] {
        // zlib keeps a pointer back to the z_stream, so it must not move: allocate it.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deinitialize(count: 1); stream.deallocate() }

        let initCode = scrubjay_inflate_init2(stream, format.windowBits)
        guard initCode == Z_OK else {
            throw .zlibFailure(code: initCode, message: zlibMessage(stream, initCode))
        }
        defer { inflateEnd(stream) }

        guard let inputBase = input.baseAddress, !input.isEmpty else {
            throw .truncated(format: format, offset: 0)
        }
        let base = UnsafeMutablePointer(mutating: inputBase)  // zlib does not write through next_in
        var consumed = 0  // bytes handed to zlib before the current chunk
        func offset() -> Int { consumed - Int(stream.pointee.avail_in) }
        func feed() {
            let chunk = min(input.count - consumed, Int(UInt32.max))
            stream.pointee.next_in = base + consumed
            stream.pointee.avail_in = UInt32(chunk)
            consumed += chunk
        }
        feed()

        // Sized to the input (many inputs are small fields of a few hundred bytes) and not
        // zeroed: zlib writes what is read back.
        let chunkSize = min(64 * 1024, max(4 * 1024, input.count * 8))
        var output: [UInt8] = []
        output.reserveCapacity(min(maxOutput, input.count * 4))
        let chunk = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }

        while true {
            stream.pointee.next_out = chunk.baseAddress
            stream.pointee.avail_out = UInt32(chunkSize)
            let code = CZlib.inflate(stream, Z_NO_FLUSH)
            let produced = chunkSize - Int(stream.pointee.avail_out)
            if produced > maxOutput - output.count {
                throw .outputLimitExceeded(format: format, limit: maxOutput, offset: offset())
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[..<produced]))

            switch code {
            case Z_STREAM_END:
                if stream.pointee.avail_in == 0, consumed < input.count { feed() }
                let remaining = input.count - offset()
                if remaining == 0 { return output }
                let at = offset()
                // Another gzip member follows: decode it too, as gunzip does.
                if format == .gzip, remaining >= 2, input[at] == 0x1F, input[at + 1] == 0x8B {
                    let resetCode = inflateReset(stream)
                    guard resetCode == Z_OK else {
                        throw .zlibFailure(code: resetCode, message: zlibMessage(stream, resetCode))
                    }
                    continue
                }
                throw .trailingData(format: format, offset: at, count: remaining)
            case Z_OK, Z_BUF_ERROR:
                if code == Z_BUF_ERROR, stream.pointee.avail_in != 0 {
                    // Cannot happen with room in the output buffer; never spin on it.
                    throw .zlibFailure(code: code, message: zlibMessage(stream, code))
                }
                if stream.pointee.avail_in == 0 {
                    if consumed < input.count {
                        feed()
                    } else if stream.pointee.avail_out != 0 || code == Z_BUF_ERROR {
                        // All input used, room left for output, stream not finished.
                        throw .truncated(format: format, offset: offset())
                    }
                }
            case Z_NEED_DICT:
                throw .needsDictionary(offset: offset())
            case Z_DATA_ERROR:
                throw .corrupt(format: format, message: zlibMessage(stream, code), offset: offset())
            default:
                throw .zlibFailure(code: code, message: zlibMessage(stream, code))
            }
        }
    }

    private static func zlibMessage(_ stream: UnsafeMutablePointer<z_stream>, _ code: Int32) -> String {
        if let msg = stream.pointee.msg { return String(cString: msg) }
        if let text = zError(code) { return String(cString: text) }
        return "zlib error \(code)"
    }
}
