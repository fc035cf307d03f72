using System.Globalization;
using System.Text.Json;

namespace Outbox.Benchmarks;

/// <summary>
/// The targets in <c>targets.json</c> and the figures measured against them in this run. A section records
/// its figure by the target's name; the summary lists every recorded figure with its target.
/// </summary>
internal sealed class Targets
{
    private readonly Dictionary<string, Target> _targets;
    private readonly List<(string Name, double Value)> _measured = [];

    private Targets(Dictionary<string, Target> targets) => _targets = targets;

    public static Targets Load(string path) =>
        new(JsonSerializer.Deserialize<Dictionary<string, Target>>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
            ?? throw new InvalidDataException($"{path} holds no targets."));

    /// <summary>Records <paramref name="value"/> as this run's figure for the target <paramref name="name"/>.</summary>
    public void Record(string name, double value)
    {
        if (!_targets.ContainsKey(name))
        {
            throw new InvalidOperationException($"No target named {name} in targets.json.");
        }

        _measured.Add((name, value));
    }

    /// <summary>Prints the recorded figures against their targets and says whether every one was met.</summary>
    public bool Report()
    {
        if (_measured.Count == 0)
        {
            return true;
        }

        Console.WriteLine("## Targets");
        Console.WriteLine();
        Console.WriteLine("| figure | measured | target | |");
        Console.WriteLine("|---|---:|---:|---|");
        var missed = 0;
        foreach (var (name, value) in _measured)
        {
            var target = _targets[name];
            var met = target.IsMet(value);
            missed += met ? 0 : 1;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {target.Text} | {value:0.00} | {target.Describe()} | {(met ? "met" : "**missed**")} |"));
        }

        Console.WriteLine();
        Console.WriteLine($"{_measured.Count - missed} of {_measured.Count} targets met");
        return missed == 0;
    }

    /// <summary>One target: a bound the figure must stay within.</summary>
    internal sealed record Target(string Text, double? AtLeast, double? AtMost)
    {
        public bool IsMet(double value) => (AtLeast is not { } low || value >= low) && (AtMost is not { } high || value <= high);

        public string Describe() => string.Join(", ", new[]
        {
            AtLeast is { } low ? string.Create(CultureInfo.InvariantCulture, $">= {low}") : null,
            AtMost is { } high ? string.Create(CultureInfo.InvariantCulture, $"<= {high}") : null,
        }.OfType<string>());
    }
}
