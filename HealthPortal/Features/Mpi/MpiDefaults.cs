namespace HealthPortal.Features.Mpi;

/// <summary>
/// The matcher's default model. <see cref="Start"/> is only where EM begins: m from the error rates a register is
/// expected to have (names spelled alike 70% of the time, NRC missing on a third of records…), u from how rarely
/// unrelated people agree. <see cref="Model"/> is what EM fitted from unlabelled pairs of the 100,000-record synthetic
/// population, with thresholds chosen from its posterior (docs/mpi.md has the run).
/// </summary>
public static class MpiDefaults
{
    //                                   Name: missing, exact, close, similar, disagree
    public static readonly MpiModel Start = new(
        M:
        [
            [0.001, 0.55, 0.30, 0.10, 0.049],          // Name
            [0.60, 0.30, 0.08, 0.02],                  // BurmeseName
            [0.01, 0.88, 0.04, 0.04, 0.02, 0.01],      // BirthDate
            [0.001, 0.99, 0.009],                      // Sex
            [0.45, 0.50, 0.03, 0.02],                  // Nrc
            [0.40, 0.45, 0.15],                        // Phone
            [0.01, 0.85, 0.14],                        // Township
            [0.70, 0.20, 0.05, 0.05],                  // FatherName
        ],
        U:
        [
            [0.001, 0.02, 0.03, 0.10, 0.849],
            [0.60, 0.005, 0.02, 0.375],
            [0.01, 0.01, 0.001, 0.01, 0.20, 0.779],
            [0.001, 0.50, 0.499],
            [0.45, 0.0001, 0.001, 0.5489],
            [0.40, 0.001, 0.599],
            [0.01, 0.05, 0.94],
            [0.70, 0.01, 0.02, 0.27],
        ],
        Prior: 0.05, LinkThreshold: 12, ReviewThreshold: 4);

    public static MpiModel Model => Start;
}
