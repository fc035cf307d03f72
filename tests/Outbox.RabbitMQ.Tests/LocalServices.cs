using System.Diagnostics;

namespace Outbox.RabbitMQ.Tests;

/// <summary>Stops and starts the PostgreSQL, MariaDB and RabbitMQ servers that eng/services.sh runs on this machine, for the fault tests.</summary>
internal static class LocalServices
{
    /// <summary>Fails the test when the services are not the local ones this class can restart.</summary>
    public static void RequireLocal()
    {
        foreach (var variable in new[] { "OUTBOX_TEST_POSTGRES", "OUTBOX_TEST_MARIADB", "OUTBOX_TEST_RABBITMQ" })
        {
            Assert.True(
                string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)),
                $"{variable} is set, but the fault test stops and starts the local servers: unset it and run eng/test.sh, which starts them.");
        }
    }

    public static Task RabbitMQAsync(params string[] arguments) => RunAsync("rabbitmqctl " + string.Join(' ', arguments));

    public static async Task StartRabbitMQAppAsync()
    {
        await RabbitMQAsync("start_app");
        await RabbitMQAsync("await_startup");
    }

    /// <summary>Starts the node after <c>rabbitmqctl stop</c> and waits until it serves.</summary>
    public static async Task StartRabbitMQNodeAsync()
    {
        await RunAsync("rabbitmq-server -detached");
        var waited = Stopwatch.StartNew();
        while ((await TryRunAsync("rabbitmqctl -q await_startup")).ExitCode != 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(90), "RabbitMQ did not start again within 90 s.");
            await Task.Delay(500);
        }
    }

    public static Task RestartPostgreSqlAsync() => PostgreSqlAsync("restart");

    /// <summary>Restarts the local MariaDB server (shut down cleanly, then started) and waits until it answers.</summary>
    public static Task RestartMariaDbAsync() =>
        RunAsync("service mariadb restart && for _ in $(seq 1 60); do mariadb-admin ping && exit 0; sleep 0.5; done; exit 1");

    /// <summary>Runs <c>pg_ctlcluster</c> with <paramref name="action"/> (stop, start, restart) on the local cluster.</summary>
    public static Task PostgreSqlAsync(string action) =>
        RunAsync($"read -r version cluster _ < <(pg_lsclusters -h | head -n 1) && pg_ctlcluster \"$version\" \"$cluster\" {action}");

    public static async Task RunAsync(string command)
    {
        var (exitCode, output) = await TryRunAsync(command);
        Assert.True(exitCode == 0, $"'{command}' failed ({exitCode}): {output}");
    }

    // Through a file, not a pipe: a server started here would hold a pipe open for as long as it runs.
    private static async Task<(int ExitCode, string Output)> TryRunAsync(string command)
    {
        var log = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo("bash") { ArgumentList = { "-c", $"{command} >'{log}' 2>&1 </dev/null" } };
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync();
            return (process.ExitCode, await File.ReadAllTextAsync(log));
        }
        finally
        {
            File.Delete(log);
        }
    }
}
