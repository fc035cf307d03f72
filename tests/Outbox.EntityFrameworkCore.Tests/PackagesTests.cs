using System.IO.Compression;
using System.Reflection.Metadata;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>
/// What <c>dotnet pack</c> gives a team to publish: every package with its metadata, README, XML docs and
/// symbols, and enough in them that the order/payment sample builds and runs from the packages alone (a folder
/// feed, no project references to the outbox), so a dependency or file missing from a package fails here.
/// </summary>
public sealed partial class PackagesTests : IDisposable
{
    private static readonly string[] Packages = ["Outbox.Core", "Outbox.EntityFrameworkCore", "Outbox.RabbitMQ", "Outbox.Kafka", "Outbox.Dashboard"];
    private const string Tool = "Outbox.Cli";

    // The project's address, as Directory.Build.props gives it to every package.
    private static readonly string RepositoryUrl = XDocument.Load(Path.Combine(Repository.Root, "Directory.Build.props"))
        .Descendants("OutboxRepositoryUrl").Single().Value;

    // SourceLink's record in a portable PDB (its kind of custom debug information).
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    private readonly string _work = Directory.CreateTempSubdirectory("outbox-packages-").FullName;

    // A version of its own, so that no package of an earlier run, or from a cache, can stand in for this one.
    private readonly string _version = $"1.0.0-packtest.{DateTime.UtcNow:yyyyMMddHHmmss}";

    [Fact]
    public async Task Pack_GivesEveryPackage_AndTheOrderPaymentSampleRunsFromThemAlone()
    {
        var feed = Path.Combine(_work, "feed");
        var packing = await PackageFeed.PackAsync(feed, _version["1.0.0-".Length..]);
        Assert.DoesNotContain("warning", packing, StringComparison.OrdinalIgnoreCase); // a sample or test project is passed over without a word

        foreach (var package in Packages)
        {
            var commit = AssertPackage(Path.Combine(feed, $"{package}.{_version}.nupkg"), package, $"lib/net10.0/{package}.dll", $"lib/net10.0/{package}.xml");
            AssertSourceLink(Path.Combine(feed, $"{package}.{_version}.snupkg"), $"lib/net10.0/{package}.pdb", commit);
        }

        AssertPackage(Path.Combine(feed, $"{Tool}.{_version}.nupkg"), Tool, $"tools/net10.0/any/{Tool}.dll", "tools/net10.0/any/DotnetToolSettings.xml");
        Assert.Equal(Packages.Append(Tool).Order(), Directory.GetFiles(feed, "*.nupkg").Select(p => Path.GetFileName(p)[..^$".{_version}.nupkg".Length]).Order());

        var sample = CopySampleOnPackages(feed);
        var output = await DotnetProcess.RunAsync(sample, ["run", "--project", "Runner", "--", "--orders", "20"], PackageFeed.TimeLimit);

        OrderPaymentRun.AssertEveryOrder(0, output, 20, "InMemory");
        var assets = File.ReadAllText(Path.Combine(sample, "Runner", "obj", "project.assets.json"));
        foreach (var package in Packages)
        {
            Assert.Contains($"\"{package}/{_version}\"", assets, StringComparison.Ordinal);
            PackageFeed.AssertRestoredFromFeed(Path.Combine(_work, "packages"), package, _version);
        }

        Assert.DoesNotContain("src/Outbox", assets, StringComparison.Ordinal);

        // The tool, installed from the same feed, reads what the sample's Payments service sent.
        var tools = Path.Combine(_work, "tools");
        await DotnetProcess.RunAsync(sample, ["tool", "install", Tool, "--tool-path", tools, "--version", _version], PackageFeed.TimeLimit);
        using var cli = new DotnetProcess();
        var payments = Path.Combine(sample, "Runner", "bin", "Debug", "net10.0", "Payments", "payments.db");
        cli.Start(["exec", Path.Combine(tools, ".store", Tool.ToLowerInvariant(), _version, Tool.ToLowerInvariant(), _version, "tools", "net10.0", "any", $"{Tool}.dll"), "status", "-c", $"Data Source={payments}"]);
        Assert.Equal(0, await cli.WaitForExitAsync(PackageFeed.TimeLimit));
        Assert.Matches("sent in the last hour +20", cli.Output);
    }

    [Fact]
    public void PackageReadmes_LinkOnlyToAbsoluteAddresses_OfFilesAndHeadingsTheRepositoryHas()
    {
        var readmes = Directory.GetFiles(Path.Combine(Repository.Root, "src"), "README.md", SearchOption.AllDirectories);
        Assert.Equal(Packages.Append(Tool).Order(), readmes.Select(r => Path.GetFileName(Path.GetDirectoryName(r)!)).Order());
        foreach (var readme in readmes)
        {
            var links = MarkdownLink().Matches(File.ReadAllText(readme)).Select(m => m.Groups["target"].Value).ToList();
            Assert.NotEmpty(links);
            foreach (var link in links)
            {
                var at = $"{Path.GetRelativePath(Repository.Root, readme)}: ({link})";
                Assert.True(link.StartsWith(RepositoryUrl, StringComparison.Ordinal), $"{at} is not an address in {RepositoryUrl}: nuget.org shows the README without the repository around it.");
                var rest = link[RepositoryUrl.Length..];
                if (rest == "#readme")
                {
                    continue;
                }

                Assert.True(rest.StartsWith("/blob/main/", StringComparison.Ordinal), $"{at} is neither the README nor a file on main.");
                var (file, heading) = rest["/blob/main/".Length..].Split('#') switch
                {
                    [var f] => (f, null),
                    [var f, var h] => (f, h),
                    _ => throw new InvalidOperationException($"{at} has two '#'."),
                };
                var path = Path.Combine(Repository.Root, file);
                Assert.True(File.Exists(path), $"{at}: the repository has no {file}.");
                if (heading is not null)
                {
                    var anchors = File.ReadAllLines(path).Where(l => l.StartsWith('#')).Select(Anchor);
                    Assert.True(anchors.Contains(heading), $"{at}: {file} has no heading whose anchor is '{heading}'.");
                }
            }
        }
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    // GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces as hyphens.
    private static string Anchor(string heading) => new([.. heading.TrimStart('#').Trim().ToLowerInvariant()
        .Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')
        .Select(c => c == ' ' ? '-' : c)]);

    // The package's nuspec names the project and the repository, at the commit packed, which it returns.
    private static string AssertPackage(string path, string id, params string[] files)
    {
        Assert.True(File.Exists(path), $"{path} was not packed.");
        using var zip = ZipFile.OpenRead(path);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("README.md", entries);
        foreach (var file in files)
        {
            Assert.Contains(file, entries);
        }

        using var nuspec = zip.GetEntry($"{id}.nuspec")!.Open();
        var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        Assert.False(string.IsNullOrWhiteSpace(Field("description")), $"{id} has no description.");
        Assert.Equal("MIT", Field("license"));
        Assert.Equal("README.md", Field("readme"));
        Assert.Contains("outbox", Field("tags") ?? "", StringComparison.Ordinal);
        Assert.Equal(RepositoryUrl, Field("projectUrl"));
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("git", (string?)repository.Attribute("type"));
        Assert.Equal(RepositoryUrl + ".git", (string?)repository.Attribute("url"));
        var commit = (string?)repository.Attribute("commit");
        Assert.Matches("^[0-9a-f]{40}$", commit);
        return commit!;
    }

    // The symbol package's PDB sends a debugger to the project's sources at that commit, whatever the clone's remote.
    private static void AssertSourceLink(string symbols, string pdb, string commit)
    {
        Assert.True(File.Exists(symbols), $"{symbols} was not packed.");
        using var zip = ZipFile.OpenRead(symbols);
        using var stream = new MemoryStream();
        using (var entry = (zip.GetEntry(pdb) ?? throw new InvalidOperationException($"{symbols} has no {pdb}.")).Open())
        {
            entry.CopyTo(stream);
        }

        stream.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(stream);
        var reader = provider.GetMetadataReader();
        var sourceLink = reader.CustomDebugInformation.Select(reader.GetCustomDebugInformation)
            .Single(info => reader.GetGuid(info.Kind) == SourceLinkKind);
        var json = System.Text.Encoding.UTF8.GetString(reader.GetBlobBytes(sourceLink.Value));
        var raw = RepositoryUrl.Replace("https://github.com/", "https://raw.githubusercontent.com/", StringComparison.Ordinal);
        Assert.Contains($"\"{raw}/{commit}/*\"", json, StringComparison.Ordinal);
    }

    // The order/payment sample copied outside the repository (no Directory.Build.props, no central package
    // versions), its projects referring to the packed packages instead of the outbox's projects.
    private string CopySampleOnPackages(string feed)
    {
        var source = Path.Combine(Repository.Root, "samples", "OrderPayment");
        var sample = Path.Combine(_work, "OrderPayment");
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(sample, relative))!);
            File.Copy(file, Path.Combine(sample, relative));
        }

        var versions = XDocument.Load(Path.Combine(Repository.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        foreach (var project in Directory.GetFiles(sample, "*.csproj", SearchOption.AllDirectories))
        {
            var document = XDocument.Load(project);
            document.Root!.Element("PropertyGroup")!.Add(
                new XElement("TargetFramework", "net10.0"), new XElement("Nullable", "enable"), new XElement("ImplicitUsings", "enable"));
            foreach (var reference in document.Descendants("PackageReference"))
            {
                reference.SetAttributeValue("Version", versions[(string)reference.Attribute("Include")!]);
            }

            foreach (var reference in document.Descendants("ProjectReference").Where(r => ((string)r.Attribute("Include")!).Contains("/src/", StringComparison.Ordinal)).ToList())
            {
                reference.ReplaceWith(new XElement(
                    "PackageReference",
                    new XAttribute("Include", Path.GetFileNameWithoutExtension((string)reference.Attribute("Include")!)),
                    new XAttribute("Version", _version)));
            }

            document.Save(project);
        }

        PackageFeed.WriteNuGetConfig(sample, feed, Path.Combine(_work, "packages"));
        return sample;
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
