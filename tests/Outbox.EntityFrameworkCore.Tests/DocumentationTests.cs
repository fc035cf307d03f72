using System.Text.RegularExpressions;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>
/// The C# shown in the README and the docs is compiled as shown: every <c>```csharp</c> block follows a
/// <c>&lt;!-- snippet: samples/File.cs#name --&gt;</c> line and is, line for line, the <c>#region name</c> of
/// that sample file (nested regions' own markers left out, common indentation removed); or, in the README only,
/// a <c>&lt;!-- service: File.cs --&gt;</c> line, and is a file of the service that ReadmeServiceTests builds
/// from those blocks.
/// </summary>
public sealed partial class DocumentationTests
{
    /// <summary>The README, every package's README and every page in docs/ that shows C#.</summary>
    public static TheoryData<string> Documents()
    {
        var root = Repository.Root;
        var documents = new TheoryData<string>();
        var pages = Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order()
            .Concat(Directory.GetDirectories(Path.Combine(root, "src")).Order().Select(package => Path.Combine(package, "README.md")).Where(File.Exists))
            .Prepend(Path.Combine(root, "README.md"));
        foreach (var path in pages)
        {
            if (File.ReadAllText(path).Contains("```csharp", StringComparison.Ordinal))
            {
                documents.Add(Path.GetRelativePath(root, path).Replace('\\', '/'));
            }
        }

        return documents;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void CSharpBlocks_AreRegionsOfTheSamples(string document)
    {
        var root = Repository.Root;
        var text = File.ReadAllText(Path.Combine(root, document)).ReplaceLineEndings("\n");
        var blocks = CSharpBlock().Matches(text);
        var snippets = Snippet().Matches(text);
        var serviceFiles = document == "README.md" ? ReadmeService.Blocks().Count(b => b.Target.EndsWith(".cs", StringComparison.Ordinal)) : 0;

        Assert.NotEmpty(blocks);
        Assert.True(
            blocks.Count == snippets.Count + serviceFiles,
            $"{document}: {blocks.Count - snippets.Count - serviceFiles} csharp block(s) without a '<!-- snippet: file#region -->' line right above{(document == "README.md" ? " (or '<!-- service: File.cs -->')" : "")}.");
        foreach (Match snippet in snippets)
        {
            var file = snippet.Groups["file"].Value;
            var expected = Region(Path.Combine(root, file), snippet.Groups["region"].Value);
            Assert.True(
                expected == snippet.Groups["code"].Value,
                $"{document}: the block marked {file}#{snippet.Groups["region"].Value} differs from the region. The region reads:\n{expected}");
        }
    }

    [Fact]
    public void Region_LeavesOutNestedMarkersAndIndentation()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(file, ["x();", "    #region outer", "    a();", "        #region inner", "        b();", "        #endregion", "    #endregion"]);

            Assert.Equal("a();\n    b();\n", Region(file, "outer"));
            Assert.Equal("b();\n", Region(file, "inner"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string Region(string path, string name)
    {
        Assert.True(File.Exists(path), $"{path} does not exist.");
        var lines = File.ReadAllLines(path);
        var start = Array.FindIndex(lines, line => line.Trim() == "#region " + name);
        Assert.True(start >= 0, $"{path} has no '#region {name}'.");
        var body = new List<string>();
        var depth = 0;
        for (var i = start + 1; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.StartsWith("#region", StringComparison.Ordinal))
            {
                depth++;
            }
            else if (trimmed.StartsWith("#endregion", StringComparison.Ordinal))
            {
                if (depth-- == 0)
                {
                    break;
                }
            }
            else
            {
                body.Add(lines[i]);
            }
        }

        var indent = body.Where(line => line.Trim().Length > 0).Min(line => line.Length - line.TrimStart().Length);
        return string.Concat(body.Select(line => (line.Trim().Length == 0 ? "" : line[indent..]) + "\n"));
    }

    [GeneratedRegex("^```csharp\\n", RegexOptions.Multiline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex("^<!-- snippet: (?<file>[^#\\n]+)#(?<region>\\S+) -->\\n```csharp\\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Snippet();
}
