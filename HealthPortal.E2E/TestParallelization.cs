// Test classes run one after another. Each class costs a Kestrel host and a Chromium (~1-2 s to start, together),
// and on this 2-core machine running two classes at once measured only ~10% faster on the whole suite (10.5 s vs
// 11.7 s of test time, 4 classes) while each test ran up to 2x slower, which eats into timeouts. `dotnet test
// HealthPortal.sln` also runs this assembly beside the unit tests, so the cores are already shared.
// Re-measure when the suite grows: `dotnet test HealthPortal.E2E -- xUnit.ParallelizeTestCollections=true`.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
