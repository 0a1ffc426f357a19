// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Coembed",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "coembed", targets: ["coembed"]),
        .executable(name: "coembed-bench", targets: ["CoembedBench"]),
        .library(name: "Solvers", targets: ["Solvers"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries from Debian (libopenblas-dev, liblapacke-dev, libarpack2-dev, zlib1g-dev).
        .systemLibrary(name: "_COpenBLAS", path: "Sources/_COpenBLAS"),
        .systemLibrary(name: "_CLAPACKE", path: "Sources/_CLAPACKE"),
        .systemLibrary(name: "_CARPACK", path: "Sources/_CARPACK"),
        .systemLibrary(name: "_CZlib", path: "Sources/_CZlib"),
        // OpenMPI from Debian (libopenmpi-dev, openmpi-bin); its flags come from pkg-config (ompi-c).
        .systemLibrary(name: "_CMPI", path: "Sources/_CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        // Plain-C wrappers: OpenMPI's MPI_COMM_WORLD / MPI_DOUBLE / MPI_SUM are macros Swift cannot import.
        // …and PARPACK (libparpack2-dev), whose routines take a Fortran communicator made on the C side.
        .target(name: "_CMPIShim", dependencies: ["_CMPI"], path: "Sources/_CMPIShim",
                linkerSettings: [.linkedLibrary("parpack")]),

        .target(name: "LinearAlgebra", dependencies: ["_COpenBLAS", "_CLAPACKE", "_CARPACK"]),
        .target(name: "DataIO", dependencies: ["LinearAlgebra", "_CZlib"]),
        .target(name: "Solvers", dependencies: ["LinearAlgebra"]),
        .target(name: "Evaluation", dependencies: ["LinearAlgebra", "DataIO", "_CLAPACKE"]),
        .target(name: "Reporting"),
        .target(name: "Distributed", dependencies: ["LinearAlgebra", "DataIO", "Solvers", "_CMPIShim"]),
        .target(name: "Workflows", dependencies: ["LinearAlgebra", "DataIO", "Solvers", "Evaluation", "Reporting"]),
        .executableTarget(
            name: "coembed",
            dependencies: [
                "LinearAlgebra", "DataIO", "Solvers", "Evaluation", "Reporting", "Workflows", "Distributed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "CoembedBench",
            dependencies: [
                "LinearAlgebra", "DataIO", "Solvers", "Reporting", "Workflows",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .target(name: "TestSupport", dependencies: ["LinearAlgebra", "DataIO", "Solvers"], path: "Tests/TestSupport"),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "TestSupport", "_COpenBLAS", "_CLAPACKE", "_CARPACK"]),
        // Fixtures/ holds SciPy-written files and the script that made them (read by path).
        .testTarget(name: "DataIOTests", dependencies: ["DataIO", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "SolversTests", dependencies: ["Solvers", "DataIO", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "TestSupport"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting"]),
        .testTarget(name: "WorkflowsTests", dependencies: ["Workflows", "Evaluation", "TestSupport"]),
        // Runs the built `coembed` binary end to end (exit codes, messages, outputs).
        .testTarget(name: "CLITests", dependencies: ["coembed", "LinearAlgebra", "DataIO", "Solvers", "TestSupport"]),
        // Runs `coembed` under mpirun on loopback (skipped when mpirun is missing).
        .testTarget(name: "DistributedTests", dependencies: ["coembed", "Distributed", "LinearAlgebra", "Solvers", "DataIO", "TestSupport"]),
    ]
)
