using Outbox.Testing;

namespace Outbox.RabbitMQ.Tests;

/// <summary>The fault test's consumer (<c>tests/Outbox.FaultConsumer</c>), run as a process of its own so that it can be killed.</summary>
internal sealed class ConsumerProcess(IReadOnlyList<string> arguments) : IDisposable
{
    private readonly DotnetProcess _process = new();

    /// <summary>The built consumer, next to this test's build (same configuration).</summary>
    private static string Program
    {
        get
        {
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            var program = Path.Combine(Repository.Root, "tests", "Outbox.FaultConsumer", "bin", configuration, "net10.0", "Outbox.FaultConsumer.dll");
            Assert.True(File.Exists(program), $"{program} is missing: build the solution (eng/test.sh does) before running this test.");
            return program;
        }
    }

    /// <summary>What the process printed, every run of it, for a failing test's message.</summary>
    public string Output => _process.Output;

    public void Start() => _process.Start([Program, .. arguments]);

    /// <summary>Stops the process as Kubernetes does (SIGTERM); how long it took to exit, within <paramref name="limit"/>.</summary>
    public Task<(int ExitCode, TimeSpan Took)> TerminateAsync(TimeSpan limit) => _process.TerminateAsync(limit);

    /// <summary>Kills the process at once (SIGKILL): no handler finishes, nothing is acknowledged.</summary>
    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();
}
