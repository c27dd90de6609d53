// Two test classes at a time. Each class costs a Kestrel host and a Chromium (~1-2 s to start, together, and
// both mostly waiting on I/O), so a second class in flight fills the gaps of the first. Measured on this 2-core
// machine while others were building on it (load average 8-17), 13 paired runs of the whole suite (4 classes,
// 10 tests, `dotnet test --no-build` wall time): two at a time median 15.4 s (max 17.5 s), one at a time median
// 17.4 s (max 25.5 s); two at a time was faster in 10 of 13 pairs and never failed. Single tests run up to 2x
// slower side by side, still far under ChromiumFixture.TimeoutMs. xunit's default "conservative" algorithm starts
// no more classes than MaxParallelThreads. Re-measure as the suite grows:
//   dotnet test HealthPortal.E2E -- xUnit.ParallelizeTestCollections=false   (one class at a time)
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
