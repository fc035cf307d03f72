using System.Diagnostics;
using System.Text;

namespace Outbox.Testing;

/// <summary>
/// A <c>dotnet</c> command run as a process of its own (the README's command, a program a test kills), or
/// another program (<c>bash</c> running a README's shell block), with what it prints on both streams kept,
/// across restarts, for the test's assertions and failure messages.
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

    /// <summary>Starts <paramref name="program"/> (by default <c>dotnet</c>) with <paramref name="arguments"/>.</summary>
    public void Start(IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, string? program = null)
    {
        var start = new ProcessStartInfo(program ?? Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
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
            throw new TimeoutException($"'{Command(process)}' did not finish within {limit}:\n{Output}");
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
                throw new TimeoutException($"'{Command(process)}' did not print /{pattern}/ {(process.HasExited ? "before it exited" : $"within {limit}")}:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Asks the process, and what it started (the program under <c>dotnet run</c>), to stop, as Kubernetes and
    /// systemd do: SIGTERM. Returns how long it took them to exit; fails the test, with the output, when they
    /// are still running after <paramref name="limit"/>.
    /// </summary>
    public async Task<(int ExitCode, TimeSpan Took)> TerminateAsync(TimeSpan limit)
    {
        var process = _process ?? throw new InvalidOperationException("Start the process first.");
        var tree = Descendants(process.Id).Prepend(process.Id).ToList();
        var took = Stopwatch.StartNew();
        foreach (var pid in tree)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
            await kill.WaitForExitAsync();
        }

        var exitCode = await WaitForExitAsync(limit);
        while (tree.Any(pid => Directory.Exists($"/proc/{pid}")))
        {
            if (took.Elapsed > limit)
            {
                throw new TimeoutException($"A process started by '{Command(process)}' was still running {limit} after SIGTERM:\n{Output}");
            }

            await Task.Delay(50);
        }

        Append($"--- stopped by SIGTERM in {took.Elapsed.TotalSeconds:0.00} s, exit code {exitCode}");
        return (exitCode, took.Elapsed);
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

    /// <summary>
    /// Runs <paramref name="program"/> (by default <c>dotnet</c>) to its end in <paramref name="directory"/>
    /// and returns what it printed; fails the test, with that output, when it exits with anything but 0.
    /// </summary>
    public static async Task<string> RunAsync(
        string directory, IEnumerable<string> arguments, TimeSpan limit, IReadOnlyDictionary<string, string>? environment = null, string? program = null)
    {
        using var run = new DotnetProcess();
        run.Start(arguments, directory, environment, program);
        var exitCode = await run.WaitForExitAsync(limit);
        Xunit.Assert.True(exitCode == 0, $"'{Command(run._process!)}' in {directory} exited with {exitCode}:\n{run.Output}");
        return run.Output;
    }

    private static string Command(Process process) =>
        $"{Path.GetFileName(process.StartInfo.FileName)} {string.Join(' ', process.StartInfo.ArgumentList)}";

    // The processes below pid, deepest last, from /proc (Linux).
    private static IEnumerable<int> Descendants(int pid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), out var child))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    parents[child] = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // It ended meanwhile.
                }
            }
        }

        var found = new List<int>();
        var next = new Queue<int>([pid]);
        while (next.TryDequeue(out var parent))
        {
            foreach (var (child, _) in parents.Where(p => p.Value == parent))
            {
                found.Add(child);
                next.Enqueue(child);
            }
        }

        return found;
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
