import _CMPIShim
import DataIO

/// MPI_COMM_WORLD as the group that reads the input (integer and byte collectives).
extension MPICommunicator: ReadGroup {
    private static func offsets(_ counts: [Int]) -> [Int64] {
        var out: [Int64] = [], running: Int64 = 0
        for c in counts { out.append(running); running += Int64(c) }
        return out
    }

    private func counts(of localCount: Int) throws -> [Int] {
        var all = [Int64](repeating: 0, count: size)
        let mine = [Int64](repeating: Int64(localCount), count: size)
        try check(coembed_mpi_alltoall_int64(mine, &all), "MPI_Alltoall")
        return all.map(Int.init)
    }

    public func allgather(_ local: [Int64]) throws -> (values: [Int64], counts: [Int]) {
        if size == 1 { return (local, [local.count]) }
        let counts = try counts(of: local.count)
        var out = [Int64](repeating: 0, count: counts.reduce(0, +))
        try local.withUnsafeBufferPointer { l in
            try out.withUnsafeMutableBufferPointer { o in
                try check(coembed_mpi_allgatherv_int64(l.baseAddress, Int64(l.count), o.baseAddress, counts.map(Int64.init),
                                                       Self.offsets(counts)), "MPI_Allgatherv")
            }
        }
        return (out, counts)
    }

    public func allgather(bytes local: [UInt8]) throws -> (values: [UInt8], counts: [Int]) {
        if size == 1 { return (local, [local.count]) }
        let counts = try counts(of: local.count)
        var out = [UInt8](repeating: 0, count: counts.reduce(0, +))
        try local.withUnsafeBufferPointer { l in
            try out.withUnsafeMutableBufferPointer { o in
                try check(coembed_mpi_allgatherv_bytes(l.baseAddress, Int64(l.count), o.baseAddress, counts.map(Int64.init),
                                                       Self.offsets(counts)), "MPI_Allgatherv")
            }
        }
        return (out, counts)
    }

    public func allreduceSum(_ values: inout [Int64]) throws {
        if size == 1 || values.isEmpty { return }
        try values.withUnsafeMutableBufferPointer { v in
            try check(coembed_mpi_allreduce_sum_int64(v.baseAddress, Int64(v.count)), "MPI_Allreduce")
        }
    }

    public func exchange(_ send: [Int64], sendCounts: [Int]) throws -> [Int64] {
        precondition(sendCounts.count == size && sendCounts.reduce(0, +) == send.count)
        if size == 1 { return send }
        var receiveCounts = [Int64](repeating: 0, count: size)
        try check(coembed_mpi_alltoall_int64(sendCounts.map(Int64.init), &receiveCounts), "MPI_Alltoall")
        let counts = receiveCounts.map(Int.init)
        var out = [Int64](repeating: 0, count: counts.reduce(0, +))
        try send.withUnsafeBufferPointer { s in
            try out.withUnsafeMutableBufferPointer { o in
                try check(coembed_mpi_alltoallv_int64(s.baseAddress, sendCounts.map(Int64.init), Self.offsets(sendCounts),
                                                      o.baseAddress, receiveCounts, Self.offsets(counts)), "MPI_Alltoallv")
            }
        }
        return out
    }
}
