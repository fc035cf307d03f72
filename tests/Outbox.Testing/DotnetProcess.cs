using System.Diagnostics;
using System.Text;

namespace Outbox.Testing;

/// <summary>
/// A <c>dotnet</c> command run as a process of its own (the README's command, a program a test kills), with
/// what it prints on both streams kept, across restarts, for the test's assertions and failure messages.
/// </summary>
public sealed class DotnetProcess : IDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

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

    public void Start(IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        _process?.Dispose();
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The exit code; a process still running after <paramref name="limit"/> is killed and the test fails with its output.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        var process = _process ?? throw new InvalidOperationException("Start the process first.");
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"'dotnet {string.Join(' ', process.StartInfo.ArgumentList)}' did not finish within {limit}:\n{Output}");
        }

        process.WaitForExit(); // drains the redirected output
        return process.ExitCode;
    }

    /// <summary>Waits until the output matches <paramref name="pattern"/>; fails with the output when the process ends first or <paramref name="limit"/> passes.</summary>
    public async Task<System.Text.RegularExpressions.Match> WaitForOutputAsync(System.Text.RegularExpressions.Regex pattern, TimeSpan limit)
    {
        var process = _process ?? throw new InvalidOperationException("Start the process first.");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var match = pattern.Match(Output);
            if (match.Success)
            {
                return match;
            }

            if (process.HasExited || deadline.Elapsed > limit)
            {
                throw new TimeoutException($"'dotnet {string.Join(' ', process.StartInfo.ArgumentList)}' did not print /{pattern}/ {(process.HasExited ? "before it exited" : $"within {limit}")}:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Kills the process at once (SIGKILL on Linux), with anything it started.</summary>
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
