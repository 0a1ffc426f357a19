/// The pairs (coefficient form or explicit vectors), the preconditioner's form and its
/// reference diagonal. V, ∇L, L and the VᵀV the next direction reads are rebuilt from the saved
/// embedding by `makeState`, whose evaluation there is the one the run made last.
extension LBFGS: CheckpointableMethod {
    public func saveState(_ s: State, into r: inout CheckpointRecord) throws {
        s.history.save("history", into: &r)
        r.set("scalingGram", s.scalingGram)
        r.set("fullGram", s.fullGram)
        r.set("pairs", s.s.count)
        for k in s.s.indices {
            r.set("s\(k)", s.s[k].storage)
            r.set("y\(k)", s.y[k].storage)
        }
        r.set("rho", s.rho)
    }

    public func restoreState(_ s: inout State, from r: CheckpointRecord, context: SolverContext) throws {
        // The snapshot's form decides, not the one `makeState` chose from the saved V's VᵀV: the
        // coefficient form needs its buffer back; the full form frees it (and fits its memory).
        let savedFullGram = try r.bool("fullGram")
        if !savedFullGram, s.history.storageReleased {
            s.history.reallocateStorage()
            s.memory = s.history.memory
        } else if savedFullGram, !s.fullGram, !enterFullForm(&s, context: context) {
            throw CheckpointError.damaged("the snapshot's L-BFGS full Gram form does not fit the memory budget of \(memoryBudget)")
        }
        try s.history.restore("history", from: r)
        s.scalingGram = try r.doubles("scalingGram")
        guard s.scalingGram.isEmpty || s.scalingGram.count == s.v.columns else {
            throw CheckpointError.damaged("L-BFGS scaling diagonal has \(s.scalingGram.count) entries, expected \(s.v.columns)")
        }
        s.fullGram = savedFullGram
        let pairs = try r.int("pairs")
        guard (0...memory).contains(pairs) else { throw CheckpointError.damaged("L-BFGS holds \(pairs) pairs, memory is \(memory)") }
        s.s = []; s.y = []
        for k in 0..<pairs {
            var sk = Matrix(rows: s.v.rows, columns: s.v.columns), yk = sk
            sk.storage = try r.doubles("s\(k)", count: s.v.count)
            yk.storage = try r.doubles("y\(k)", count: s.v.count)
            s.s.append(sk); s.y.append(yk)
        }
        s.rho = try r.doubles("rho", count: pairs)
        while s.s.count > s.memory { s.s.removeFirst(); s.y.removeFirst(); s.rho.removeFirst() } // a smaller fitted memory
    }
}

import LinearAlgebra
