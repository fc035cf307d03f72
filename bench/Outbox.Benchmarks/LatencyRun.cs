namespace Outbox.Benchmarks;

/// <summary>One latency measurement: the latencies counted after the warm-up, and how well the writers kept the rate.</summary>
internal sealed record LatencyRun(List<double> Latencies, int WarmUp, int Writers, double Rate, int Late)
{
    public string Describe() =>
        $"{Latencies.Count:N0} messages measured after a {WarmUp:N0}-message warm-up, from {Writers} writers; achieved {Rate:0}/s, {Late} commits started more than 10 ms late";

    /// <summary>p50, p90, p99 and max in milliseconds, as cells of a Markdown table row.</summary>
    public string Percentiles() =>
        $"{Stats.Percentile(Latencies, 50):0.00} | {Stats.Percentile(Latencies, 90):0.00} | {Stats.Percentile(Latencies, 99):0.00} | {Latencies.Max():0.00}";

    public void PrintTable()
    {
        Console.WriteLine();
        Console.WriteLine("| p50 ms | p90 ms | p99 ms | max ms |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| {Percentiles()} |");
        Console.WriteLine();
    }
}
