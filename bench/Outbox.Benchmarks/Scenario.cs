namespace Outbox.Benchmarks;

/// <summary>One section of the benchmark: it measures, prints its table and records its figures against their targets.</summary>
internal abstract class Scenario
{
    /// <summary>The section's number, as <c>--section</c> names it.</summary>
    public abstract string Section { get; }

    public abstract Task RunAsync();
}
