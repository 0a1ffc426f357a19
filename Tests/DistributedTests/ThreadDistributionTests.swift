import XCTest
import LinearAlgebra
@testable import Solvers
import TestSupport

/// The distributed problem on a `ThreadTeam` (participants = threads, same code as MPI ranks).
final class ThreadDistributionTests: XCTestCase {
}
