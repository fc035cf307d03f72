using System.Globalization;

namespace Outbox.Benchmarks;

/// <summary>
/// CPU time spent by this process, by the database's processes (PostgreSQL's or MariaDB's) and by RabbitMQ's, read from <c>/proc</c> (Linux
/// only; elsewhere every figure is zero). A process that exits between two readings loses its share.
/// </summary>
internal sealed class CpuMeter
{
    // USER_HZ: the unit of utime and stime in /proc/[pid]/stat, 100 on every Linux this runs on.
    private const double TicksPerSecond = 100;
    private readonly Dictionary<int, (string Name, long Ticks)> _start = Read();

    /// <summary>CPU seconds used since the meter was made: (this process, the database, RabbitMQ).</summary>
    public CpuUse Elapsed()
    {
        double own = 0, database = 0, broker = 0;
        foreach (var (pid, (name, ticks)) in Read())
        {
            var used = (ticks - (_start.TryGetValue(pid, out var before) && before.Name == name ? before.Ticks : 0)) / TicksPerSecond;
            if (pid == Environment.ProcessId)
            {
                own += used;
            }
            else if (name is "postgres" or "mariadbd")
            {
                database += used;
            }
            else if (name == "beam.smp")
            {
                broker += used;
            }
        }

        return new CpuUse(own, database, broker);
    }

    private static Dictionary<int, (string Name, long Ticks)> Read()
    {
        var processes = new Dictionary<int, (string, long)>();
        if (!Directory.Exists("/proc"))
        {
            return processes;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // exited while being read
            }

            // pid (comm) state ppid ...: the name may hold spaces, so the fields are counted after its ')'.
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            processes[pid] = (stat[(open + 1)..close], ticks);
        }

        return processes;
    }
}
