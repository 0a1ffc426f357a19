import LinearAlgebra
import Testing

/// The start-up decision of `BLASCore` on recorded CPUs (flags as /proc/cpuinfo lists them). The
/// restart itself is exercised once in CLITests.
@Suite struct BLASCoreTests {
    /// The 2-core "Intel(R) Xeon(R) Processor" VM (family 6, model 207) that OpenBLAS 0.3.21 does not know.
    static let xeonVM: Set<String> = ["fpu", "sse", "sse2", "ssse3", "sse4_1", "sse4_2", "avx", "fma", "avx2",
                                      "avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl", "avx512_vnni"]
    /// An AMD EPYC (Zen 2): AVX2 + FMA, no AVX-512.
    static let zen2: Set<String> = ["fpu", "sse", "sse2", "ssse3", "sse4_1", "sse4_2", "avx", "fma", "avx2", "sse4a"]
    /// A Haswell client: AVX2 + FMA.
    static let haswell: Set<String> = ["fpu", "sse", "sse2", "ssse3", "sse4_1", "sse4_2", "avx", "fma", "avx2"]
    /// A Sandy Bridge: AVX only.
    static let sandyBridge: Set<String> = ["fpu", "sse", "sse2", "ssse3", "sse4_1", "sse4_2", "avx"]
    /// AVX-512F without BW/VL (Knights Landing): not enough for the SkylakeX kernels.
    static let knightsLanding: Set<String> = ["sse2", "avx", "fma", "avx2", "avx512f", "avx512cd", "avx512er", "avx512pf"]

    @Test func genericCoreOnAnAVX512CPURestartsWithSkylakeX() {
        let d = BLASCore.decide(chosenCore: "Prescott", flags: Self.xeonVM, vendor: "GenuineIntel", environment: [:])
        guard case let .restart(core, _) = d else { Issue.record("expected a restart, got \(d)"); return }
        #expect(core == "SKYLAKEX")
    }

    @Test func avx2CoreOnAnAVX512CPUAlsoRestarts() {
        let d = BLASCore.decide(chosenCore: "Haswell", flags: Self.xeonVM, vendor: "GenuineIntel", environment: [:])
        #expect(d == .restart(coreType: "SKYLAKEX", reason: "OpenBLAS chose its generic Haswell kernels on a CPU with AVX-512F/BW/VL"))
    }

    @Test func genericCoreOnAVX2CPUsPicksHaswellOrZenByVendor() {
        guard case let .restart(intel, _) = BLASCore.decide(chosenCore: "Nehalem", flags: Self.haswell, vendor: "GenuineIntel", environment: [:]),
              case let .restart(amd, _) = BLASCore.decide(chosenCore: "Prescott", flags: Self.zen2, vendor: "AuthenticAMD", environment: [:]),
              case let .restart(knl, _) = BLASCore.decide(chosenCore: "Prescott", flags: Self.knightsLanding, vendor: "GenuineIntel", environment: [:])
        else { Issue.record("expected restarts"); return }
        #expect(intel == "HASWELL")
        #expect(amd == "ZEN")
        #expect(knl == "HASWELL")
    }

    @Test func fittingCoresAreKept() {
        for (core, flags, vendor) in [("SkylakeX", Self.xeonVM, "GenuineIntel"), ("Cooperlake", Self.xeonVM, "GenuineIntel"),
                                      ("Zen", Self.zen2, "AuthenticAMD"), ("Haswell", Self.haswell, "GenuineIntel"),
                                      ("Sandybridge", Self.sandyBridge, "GenuineIntel"), ("Prescott", Self.sandyBridge, "GenuineIntel"),
                                      ("Prescott", [], "")] {
            let d = BLASCore.decide(chosenCore: core, flags: flags, vendor: vendor, environment: [:])
            guard case .keep = d else { Issue.record("\(core) on \(vendor) should be kept, got \(d)"); continue }
        }
    }

    @Test func theUsersValueAndTheRestartMarkerAreNeverOverridden() {
        for env in [["OPENBLAS_CORETYPE": "Prescott"], ["OPENBLAS_CORETYPE": ""], ["COEMBED_BLAS_RESTARTED": "1"]] {
            let d = BLASCore.decide(chosenCore: "Prescott", flags: Self.xeonVM, vendor: "GenuineIntel", environment: env)
            guard case .keep = d else { Issue.record("\(env) must keep OpenBLAS's choice, got \(d)"); continue }
        }
    }

    @Test func cpuinfoParsingReadsTheFirstProcessor() {
        let text = """
            processor\t: 0
            vendor_id\t: AuthenticAMD
            flags\t\t: fpu sse2 avx fma avx2
            
            processor\t: 1
            vendor_id\t: GenuineIntel
            flags\t\t: fpu avx512f
            """
        let parsed = BLASCore.cpuFlags(cpuinfo: text)
        #expect(parsed.vendor == "AuthenticAMD")
        #expect(parsed.flags == ["fpu", "sse2", "avx", "fma", "avx2"])
    }

    @Test func theRunningLibraryDescribesItself() {
        let d = BLASCore.current
        #expect(d.configuration.hasPrefix("OpenBLAS"))
        #expect(!d.core.isEmpty && d.threads >= 1)
    }
}
