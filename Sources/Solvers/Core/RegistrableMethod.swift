import LinearAlgebra

/// A method the command line, `compare`, the benchmark and the shared tests know by name: a
/// `SolverMethod` with a name, a one-line summary, its settings group and a factory from it.
/// Registering it is one line in `MethodRegistry.all`.
public protocol RegistrableMethod: SolverMethod, SendableMetatype {
    associatedtype Settings: SettingsGroup

    /// The name on the command line, in traces and reports.
    static var methodName: String { get }
    /// One line for `--help` and the docs.
    static var summary: String { get }
    static var family: MethodFamily { get }
    /// Whether, under mpirun, each rank may hold only its own rows of V and of every M × D array:
    /// true only for a method that completes every inner product, norm and Gram matrix over
    /// items through the context's `ItemSums` (allreduce). Otherwise every rank holds all of V
    /// and the objective alone is distributed — slower and larger, but right for any method.
    static var runsOnLocalRows: Bool { get }

    /// The method with `settings`; `solver` gives the run's other groups (e.g. impute reads the
    /// eigen settings for its exact inner step).
    init(settings: Settings, solver: SolverSettings) throws

    /// The driver's stopping rules for this method, from the run's (sampled methods run a fixed
    /// number of epochs instead).
    func driverOptions(from run: DriverOptions, settings: Settings) -> DriverOptions

    /// How a method that makes its own start describes it in results (`StartRequirement.none`).
    func ownStartDescription(settings: Settings) -> String

    /// The M × D (and larger) buffers a run with `settings` keeps alive besides the loss's own,
    /// checked against the memory limit before any work (`MemoryNeed`).
    static func memoryNeeds(settings: Settings, sizes: MemoryNeed.Sizes) -> [MemoryNeed]
}

extension RegistrableMethod {
    public var name: String { Self.methodName }
    public static var runsOnLocalRows: Bool { false }
    public func driverOptions(from run: DriverOptions, settings: Settings) -> DriverOptions { run }
    public func ownStartDescription(settings: Settings) -> String { Self.methodName }
}
