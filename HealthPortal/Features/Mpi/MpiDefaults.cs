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
    /// Fitted by <c>HealthPortal.Bench mpi --people 100000 --seed 2026</c> (EM from <see cref="Start"/>, 48 iterations;
    /// thresholds at expected link precision 0.999 and expected recall 0.995 of the fitted posterior).
    /// </summary>
    public static readonly MpiModel Model = new(
        M:
        [
            [0.0185439, 0.887818, 0.028308, 0.0290207, 0.054853],
            [0.81375, 0.974199, 0.0092578, 0.0165429],
            [0.0165494, 0.905123, 0.0179447, 0.0248808, 0.0250632, 0.0269887],
            [1E-06, 0.974528, 0.0254725],
            [0.617157, 0.923473, 0.00330685, 0.0732197],
            [0.410391, 0.825373, 0.174627],
            [1E-06, 0.819443, 0.180557],
            [0.805065, 0.999285, 9.99953E-05, 0.000614967],
        ],
        U:
        [
            [0.00303652, 0.00201168, 0.00169896, 0.0129259, 0.983363],
            [0.828775, 0.00132848, 0.034579, 0.964093],
            [2.43237E-06, 0.00208612, 0.000787371, 0.0622089, 0.724884, 0.210034],
            [1E-06, 0.49994, 0.50006],
            [0.625389, 9.99903E-05, 0.000557551, 0.999342],
            [0.370399, 9.99906E-05, 0.9999],
            [1E-06, 0.0292939, 0.970706],
            [0.796599, 0.000484512, 0.000801413, 0.998714],
        ],
        Prior: 0.00375, LinkThreshold: 11.93, ReviewThreshold: 3.48);
}
