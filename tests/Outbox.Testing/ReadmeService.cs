using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Outbox.Testing;

/// <summary>
/// The service the README's "Add it to a service" builds, as its blocks give it: each block follows a
/// <c>&lt;!-- service: target --&gt;</c> line, where the target is <c>run</c> (shell commands run in the service's
/// folder), <c>appsettings.json</c> (settings merged into that file) or a C# file of the service (written, or
/// appended to when an earlier block began it).
/// </summary>
public static partial class ReadmeService
{
    /// <summary>The target of the shell blocks.</summary>
    public const string Run = "run";

    /// <summary>The README's service blocks, in their order.</summary>
    public static IReadOnlyList<(string Target, string Text)> Blocks() =>
        Block().Matches(File.ReadAllText(Path.Combine(Repository.Root, "README.md")).ReplaceLineEndings("\n"))
            .Select(m => (m.Groups["target"].Value, m.Groups["text"].Value))
            .ToList();

    /// <summary>Writes a file block into <paramref name="folder"/>: settings merged, C# written or appended to.</summary>
    public static void Paste(string folder, string target, string text, ISet<string> written)
    {
        var path = Path.Combine(folder, target);
        if (target.EndsWith(".json", StringComparison.Ordinal))
        {
            var settings = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))!.AsObject() : [];
            Merge(settings, JsonNode.Parse(text)!.AsObject());
            File.WriteAllText(path, settings.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }
        else if (written.Add(target))
        {
            File.WriteAllText(path, text);
        }
        else
        {
            File.AppendAllText(path, "\n" + text);
        }
    }

    private static void Merge(JsonObject into, JsonObject from)
    {
        foreach (var (name, value) in from.ToList())
        {
            if (value is JsonObject inner && into[name] is JsonObject existing)
            {
                Merge(existing, inner);
            }
            else
            {
                into[name] = value?.DeepClone();
            }
        }
    }

    [GeneratedRegex("^<!-- service: (?<target>\\S+) -->\\n```\\w+\\n(?<text>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Block();
}
