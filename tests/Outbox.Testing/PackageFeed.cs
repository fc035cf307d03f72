using System.Xml.Linq;
using Xunit;

namespace Outbox.Testing;

/// <summary>
/// The outbox's packages as a team publishes them: packed from the suite's build into a folder feed, and restored
/// from it by projects outside the repository (no Directory.Build.props, no central package versions).
/// </summary>
public static class PackageFeed
{
    /// <summary>How long one <c>dotnet</c> command of a packaging test may take.</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Packs every package at <c>1.0.0</c> with <paramref name="suffix"/> (none: <c>1.0.0</c> itself) into
    /// <paramref name="feed"/>; returns what <c>dotnet pack</c> printed.
    /// </summary>
    public static Task<string> PackAsync(string feed, string suffix = "") =>
        // --no-build: the suite's build is packed; building again would overwrite the assemblies under test.
        DotnetProcess.RunAsync(Repository.Root, ["pack", "Outbox.sln", "-c", "Release", "--no-build", "-o", feed, $"-p:VersionSuffix={suffix}"], TimeLimit);

    /// <summary>
    /// Writes a NuGet.config into <paramref name="folder"/> that takes the outbox's packages from
    /// <paramref name="feed"/> only, everything else from nuget.org (and the repository's stand-ins for what a
    /// partial mirror lacks), into <paramref name="packages"/>, a packages folder of its own, falling back to the
    /// machine's cache for the dependencies.
    /// </summary>
    public static void WriteNuGetConfig(string folder, string feed, string packages)
    {
        var home = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } cache
            ? cache
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        new XDocument(new XElement(
            "configuration",
            new XElement("config", Add("globalPackagesFolder", packages)),
            new XElement(
                "packageSources",
                new XElement("clear"),
                Add("packed", feed),
                Add("nuget.org", "https://api.nuget.org/v3/index.json"),
                Add("outbox-stand-ins", Path.Combine(Repository.Root, "eng", "packages"))),
            new XElement(
                "packageSourceMapping",
                Source("packed", "Outbox.*"),
                Source("nuget.org", "*"),
                Source("outbox-stand-ins", "*")),
            new XElement("fallbackPackageFolders", Add("machine", home))))
            .Save(Path.Combine(folder, "NuGet.config"));

        static XElement Add(string key, string value) =>
            new("add", new XAttribute("key", key), new XAttribute("value", value));

        static XElement Source(string key, string pattern) =>
            new("packageSource", new XAttribute("key", key), new XElement("package", new XAttribute("pattern", pattern)));
    }

    /// <summary>Asserts that <paramref name="package"/> <paramref name="version"/> was restored from the feed into <paramref name="packages"/>, not found elsewhere.</summary>
    public static void AssertRestoredFromFeed(string packages, string package, string version) =>
        Assert.True(
            Directory.Exists(Path.Combine(packages, package.ToLowerInvariant(), version)),
            $"{package} {version} was not restored from the packed feed into {packages}.");
}
