using System.Text.RegularExpressions;

namespace Outbox.Tests;

/// <summary>The C# shown in the README and the docs is taken from the samples, which build and run; this keeps them in step.</summary>
public sealed partial class DocumentationTests
{
    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/transactions.md")]
    [InlineData("docs/consumers.md")]
    [InlineData("docs/rabbitmq.md")]
    public void CSharpSnippets_AreLinesOfTheSamples(string document)
    {
        var root = RepositoryRoot();
        var sample = Directory.GetFiles(Path.Combine(root, "samples"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(File.ReadAllLines)
            .Select(line => line.Trim())
            .ToHashSet(StringComparer.Ordinal);
        var snippets = CSharpBlock().Matches(File.ReadAllText(Path.Combine(root, document)));

        Assert.NotEmpty(snippets);
        var missing = snippets
            .SelectMany(m => m.Groups[1].Value.Split('\n'))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal) && !sample.Contains(line))
            .ToList();
        Assert.True(missing.Count == 0, $"{document} lines not found in samples/: " + string.Join(" | ", missing));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Outbox.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Outbox.sln not found above the test directory.");
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
