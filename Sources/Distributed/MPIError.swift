import _CMPIShim

/// An MPI error code turned into a Swift error.
public struct MPIError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let code: Int32
    public var description: String {
        var text = [CChar](repeating: 0, count: 512)
        coembed_mpi_error_string(code, &text, Int32(text.count))
        let bytes = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return "\(call) failed: \(String(decoding: bytes, as: UTF8.self)) (MPI error \(code))"
    }
}
