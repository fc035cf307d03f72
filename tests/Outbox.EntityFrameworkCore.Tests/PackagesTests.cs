using System.IO.Compression;
using System.Xml.Linq;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>
/// What <c>dotnet pack</c> gives a team to publish: every package with its metadata, README, XML docs and
/// symbols, and enough in them that the QuickStart builds and runs from the packages alone (a folder feed,
/// no project references), so a dependency or file missing from a package fails here.
/// </summary>
public sealed class PackagesTests : IDisposable
{
    private static readonly string[] Packages = ["Outbox.Core", "Outbox.EntityFrameworkCore", "Outbox.RabbitMQ", "Outbox.Kafka"];
    private static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(5);

    private readonly string _work = Directory.CreateTempSubdirectory("outbox-packages-").FullName;

    // A version of its own, so that no package of an earlier run, or from a cache, can stand in for this one.
    private readonly string _version = $"1.0.0-packtest.{DateTime.UtcNow:yyyyMMddHHmmss}";

    [Fact]
    public async Task Pack_GivesEveryPackage_AndTheQuickStartRunsFromThemAlone()
    {
        var feed = Path.Combine(_work, "feed");
        // --no-build: the suite's build is packed; building again would overwrite the assemblies under test.
        await DotnetAsync(Repository.Root, "pack", "Outbox.sln", "-c", "Release", "--no-build", "-o", feed, $"-p:VersionSuffix={_version["1.0.0-".Length..]}");

        foreach (var package in Packages)
        {
            AssertPackage(Path.Combine(feed, $"{package}.{_version}.nupkg"), package);
            Assert.True(File.Exists(Path.Combine(feed, $"{package}.{_version}.snupkg")), $"{package} has no symbol package.");
        }

        Assert.Equal(Packages.Order(), Directory.GetFiles(feed, "*.nupkg").Select(p => Path.GetFileName(p)[..^$".{_version}.nupkg".Length]).Order());

        var sample = WriteQuickStartFromPackages(feed);
        var output = await DotnetAsync(sample, "run");

        QuickStartRun.AssertEveryStep(0, output, "InMemory");
        var assets = File.ReadAllText(Path.Combine(sample, "obj", "project.assets.json"));
        Assert.Contains($"\"Outbox.EntityFrameworkCore/{_version}\"", assets, StringComparison.Ordinal);
        Assert.DoesNotContain("\"type\": \"project\"", assets, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static void AssertPackage(string path, string id)
    {
        Assert.True(File.Exists(path), $"{path} was not packed.");
        using var zip = ZipFile.OpenRead(path);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("README.md", entries);
        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.xml", entries);

        using var nuspec = zip.GetEntry($"{id}.nuspec")!.Open();
        var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        Assert.False(string.IsNullOrWhiteSpace(Field("description")), $"{id} has no description.");
        Assert.Equal("MIT", Field("license"));
        Assert.Equal("README.md", Field("readme"));
        Assert.Contains("outbox", Field("tags") ?? "", StringComparison.Ordinal);
        Assert.NotNull(metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "repository")?.Attribute("commit"));
    }

    // The QuickStart's sources in a project of their own, outside the repository (no Directory.Build.props,
    // no central package versions), referring to the packed packages; restored into a packages folder of its
    // own, falling back to the machine's cache for the packages' dependencies.
    private string WriteQuickStartFromPackages(string feed)
    {
        var sample = Path.Combine(_work, "QuickStart");
        Directory.CreateDirectory(sample);
        var source = Path.Combine(Repository.Root, "samples", "QuickStart");
        foreach (var file in Directory.GetFiles(source, "*.cs").Append(Path.Combine(source, "appsettings.json")))
        {
            File.Copy(file, Path.Combine(sample, Path.GetFileName(file)));
        }

        var versions = XDocument.Load(Path.Combine(Repository.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        new XDocument(new XElement(
            "Project",
            new XAttribute("Sdk", "Microsoft.NET.Sdk"),
            new XElement(
                "PropertyGroup",
                new XElement("OutputType", "Exe"),
                new XElement("TargetFramework", "net10.0"),
                new XElement("Nullable", "enable"),
                new XElement("ImplicitUsings", "enable"),
                new XElement("RootNamespace", "QuickStart")),
            new XElement(
                "ItemGroup",
                Reference("Outbox.EntityFrameworkCore", _version),
                Reference("Outbox.RabbitMQ", _version),
                Reference("Outbox.Kafka", _version),
                Reference("Microsoft.EntityFrameworkCore.Sqlite", versions["Microsoft.EntityFrameworkCore.Sqlite"]),
                Reference("Microsoft.Extensions.Hosting", versions["Microsoft.Extensions.Hosting"])),
            new XElement("ItemGroup", new XElement("None", new XAttribute("Update", "appsettings.json"), new XAttribute("CopyToOutputDirectory", "PreserveNewest")))))
            .Save(Path.Combine(sample, "QuickStart.csproj"));

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

        static XElement Reference(string id, string version) =>
            new("PackageReference", new XAttribute("Include", id), new XAttribute("Version", version));

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
