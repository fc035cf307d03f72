namespace Outbox.Benchmarks;

/// <summary>A relay of a backlog: how long it took and the CPU it used.</summary>
internal sealed record RelayRun(TimeSpan Elapsed, CpuUse Cpu);
