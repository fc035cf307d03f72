using System.Diagnostics;

namespace Outbox.Kafka.Tests;

/// <summary>Runs <c>kcat</c>, a Kafka client written by others (installed by eng/test.sh), against a cluster.</summary>
internal static class Kcat
{
    public static Task<string> RunAsync(string bootstrapServers, string input, params string[] arguments) =>
        RunAsync(bootstrapServers, System.Text.Encoding.UTF8.GetBytes(input), arguments);

    /// <summary>Runs kcat with <paramref name="input"/>, bytes as they are, on its standard input.</summary>
    public static async Task<string> RunAsync(string bootstrapServers, byte[] input, params string[] arguments)
    {
        var start = new ProcessStartInfo("kcat") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-b");
        start.ArgumentList.Add(bootstrapServers);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("kcat did not start: run eng/test.sh, which installs it.");
        await process.StandardInput.BaseStream.WriteAsync(input);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"kcat {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}");
        return await output;
    }
}
