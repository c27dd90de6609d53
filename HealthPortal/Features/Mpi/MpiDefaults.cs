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

    /// <summary>
    /// Fitted by <c>HealthPortal.Bench mpi --people 100000 --seed 2026</c> (EM from <see cref="Start"/>, 10 iterations,
    /// the Burmese-script name counted only where the romanised names do not already agree: <see cref="MpiLevels.Counted"/>;
    /// thresholds at expected link precision 0.999 and expected recall 0.995 of the fitted posterior; docs/mpi.md run 6).
    /// </summary>
    public static readonly MpiModel Model = new(
        M:
        [
            [0.0192932, 0.884754, 0.0289016, 0.0299255, 0.0564193],
            [0.977227, 0.75448, 0.0902174, 0.155302],
            [0.017197, 0.936581, 0.0183896, 0.022554, 0.00428579, 0.0181899],
            [1E-06, 0.979658, 0.0203418],
            [0.61043, 0.938408, 0.0033562, 0.0582355],
            [0.40676, 0.848517, 0.151483],
            [1E-06, 0.843277, 0.156723],
            [0.79863, 0.9998, 9.99804E-05, 9.99804E-05],
        ],
        U:
        [
            [0.00303572, 0.00213518, 0.00170015, 0.0129247, 0.98324],
            [0.829289, 9.99978E-05, 0.0337769, 0.966123],
            [3.97841E-06, 0.00208594, 0.000787915, 0.0622126, 0.724871, 0.210043],
            [1E-06, 0.49998, 0.50002],
            [0.625412, 9.99903E-05, 0.000557533, 0.999342],
            [0.370418, 9.99905E-05, 0.9999],
            [1E-06, 0.0293053, 0.970695],
            [0.796624, 0.000485903, 0.000801599, 0.998712],
        ],
        Prior: 0.00363, LinkThreshold: 10.50, ReviewThreshold: 6.40);
}
