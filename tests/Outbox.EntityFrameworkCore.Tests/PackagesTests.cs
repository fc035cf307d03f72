using System.IO.Compression;
using System.Xml.Linq;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>
/// What <c>dotnet pack</c> gives a team to publish: every package with its metadata, README, XML docs and
/// symbols, and enough in them that the order/payment sample builds and runs from the packages alone (a folder
/// feed, no project references to the outbox), so a dependency or file missing from a package fails here.
/// </summary>
public sealed class PackagesTests : IDisposable
{
    private static readonly string[] Packages = ["Outbox.Core", "Outbox.EntityFrameworkCore", "Outbox.RabbitMQ", "Outbox.Kafka", "Outbox.Dashboard"];
    private const string Tool = "Outbox.Cli";
    private static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(5);

    private readonly string _work = Directory.CreateTempSubdirectory("outbox-packages-").FullName;

    // A version of its own, so that no package of an earlier run, or from a cache, can stand in for this one.
    private readonly string _version = $"1.0.0-packtest.{DateTime.UtcNow:yyyyMMddHHmmss}";

    [Fact]
    public async Task Pack_GivesEveryPackage_AndTheOrderPaymentSampleRunsFromThemAlone()
    {
        var feed = Path.Combine(_work, "feed");
        // --no-build: the suite's build is packed; building again would overwrite the assemblies under test.
        await DotnetAsync(Repository.Root, "pack", "Outbox.sln", "-c", "Release", "--no-build", "-o", feed, $"-p:VersionSuffix={_version["1.0.0-".Length..]}");

        foreach (var package in Packages)
        {
            AssertPackage(Path.Combine(feed, $"{package}.{_version}.nupkg"), package, $"lib/net10.0/{package}.dll", $"lib/net10.0/{package}.xml");
            Assert.True(File.Exists(Path.Combine(feed, $"{package}.{_version}.snupkg")), $"{package} has no symbol package.");
        }

        AssertPackage(Path.Combine(feed, $"{Tool}.{_version}.nupkg"), Tool, $"tools/net10.0/any/{Tool}.dll", "tools/net10.0/any/DotnetToolSettings.xml");
        Assert.Equal(Packages.Append(Tool).Order(), Directory.GetFiles(feed, "*.nupkg").Select(p => Path.GetFileName(p)[..^$".{_version}.nupkg".Length]).Order());

        var sample = CopySampleOnPackages(feed);
        var output = await DotnetAsync(sample, "run", "--project", "Runner", "--", "--orders", "20");

        OrderPaymentRun.AssertEveryOrder(0, output, 20, "InMemory");
        var assets = File.ReadAllText(Path.Combine(sample, "Runner", "obj", "project.assets.json"));
        foreach (var package in Packages)
        {
            Assert.Contains($"\"{package}/{_version}\"", assets, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("src/Outbox", assets, StringComparison.Ordinal);

        // The tool, installed from the same feed, reads what the sample's Payments service sent.
        var tools = Path.Combine(_work, "tools");
        await DotnetAsync(sample, "tool", "install", Tool, "--tool-path", tools, "--version", _version);
        using var cli = new DotnetProcess();
        var payments = Path.Combine(sample, "Runner", "bin", "Debug", "net10.0", "Payments", "payments.db");
        cli.Start(["exec", Path.Combine(tools, ".store", Tool.ToLowerInvariant(), _version, Tool.ToLowerInvariant(), _version, "tools", "net10.0", "any", $"{Tool}.dll"), "status", "-c", $"Data Source={payments}"]);
        Assert.Equal(0, await cli.WaitForExitAsync(TimeLimit));
        Assert.Matches("sent in the last hour +20", cli.Output);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static void AssertPackage(string path, string id, params string[] files)
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
        Assert.NotNull(metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "repository")?.Attribute("commit"));
    }

    // The order/payment sample copied outside the repository (no Directory.Build.props, no central package
    // versions), its projects referring to the packed packages instead of the outbox's projects; restored into a
    // packages folder of its own, falling back to the machine's cache for the packages' dependencies.
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

        var home = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } cache
            ? cache
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        new XDocument(new XElement(
            "configuration",
            new XElement("config", Add("globalPackagesFolder", Path.Combine(_work, "packages"))),
            new XElement(
                "packageSources",
                new XElement("clear"),
                Add("packed", feed),
                Add("nuget.org", "https://api.nuget.org/v3/index.json"),
                Add("outbox-stand-ins", Path.Combine(Repository.Root, "eng", "packages"))),
            new XElement("fallbackPackageFolders", Add("machine", home))))
            .Save(Path.Combine(sample, "NuGet.config"));
        return sample;

        static XElement Add(string key, string value) =>
            new("add", new XAttribute("key", key), new XAttribute("value", value));
    }

    private static async Task<string> DotnetAsync(string directory, params string[] arguments)
    {
        using var run = new DotnetProcess();
        run.Start(arguments, directory);
        var exitCode = await run.WaitForExitAsync(TimeLimit);
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {exitCode}:\n{run.Output}");
        return run.Output;
    }
}
