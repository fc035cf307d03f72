using System.Text.RegularExpressions;

namespace Outbox.Tests;

/// <summary>The C# shown in the README and the docs is taken from the QuickStart sample, which builds and runs; this keeps them in step.</summary>
public sealed partial class DocumentationTests
{
    [Theory]
    [InlineData("README.md")]
    [InlineData("docs/transactions.md")]
    [InlineData("docs/consumers.md")]
    public void CSharpSnippets_AreLinesOfTheQuickStartSample(string document)
    {
        var root = RepositoryRoot();
        var sample = Directory.GetFiles(Path.Combine(root, "samples", "QuickStart"), "*.cs")
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
        Assert.True(missing.Count == 0, $"{document} lines not found in samples/QuickStart: " + string.Join(" | ", missing));
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
