using System.Diagnostics;
using System.Text;
using Outbox.Testing;

namespace Outbox.RabbitMQ.Tests;

/// <summary>The fault test's consumer (<c>tests/Outbox.FaultConsumer</c>), run as a process of its own so that it can be killed.</summary>
internal sealed class ConsumerProcess(IReadOnlyList<string> arguments) : IDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

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
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public void Start()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Append($"--- started, pid {_process.Id}");
    }

    /// <summary>Kills the process at once (SIGKILL): no handler finishes, nothing is acknowledged.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Append($"--- killed, pid {process.Id}");
        }
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
