using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Outbox.Tests;

/// <summary>
/// Each library package records its public surface, with nullability, in <c>PublicAPI.Shipped.txt</c> and
/// <c>PublicAPI.Unshipped.txt</c> beside its project; the build fails on a change not written there (RS0016,
/// RS0017). These tests check that every package has its baselines and that they hold every public type.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly Assembly[] Packages =
    [
        typeof(IOutbox).Assembly,
        typeof(EntityFrameworkCoreOutboxBuilderExtensions).Assembly,
        typeof(RabbitMQOutboxBuilderExtensions).Assembly,
        typeof(KafkaOutboxBuilderExtensions).Assembly,
        typeof(DashboardOutboxBuilderExtensions).Assembly,
    ];

    public static TheoryData<string> PackageNames => [.. Packages.Select(p => p.GetName().Name!)];

    [Theory]
    [MemberData(nameof(PackageNames))]
    public void EveryPublicType_IsInItsPackagesBaseline_WithNullability(string package)
    {
        var baseline = Baseline(package);
        var types = Packages.Single(p => p.GetName().Name == package).GetExportedTypes();

        Assert.NotEmpty(types);
        Assert.All(types, type => Assert.Contains(Name(type), baseline));
    }

    [Fact]
    public void Internals_AreNotPartOfTheSurface()
    {
        var surface = Baseline("Outbox.Core");

        Assert.DoesNotContain(surface, line => line.Contains("OutboxDefaults", StringComparison.Ordinal));
        Assert.DoesNotContain(surface, line => line.Contains("ActivitySource", StringComparison.Ordinal));
        Assert.Contains("Outbox.Transport.ITransport", surface);
    }

    [Fact]
    public void EveryPackage_BuildsOnCoresPublicApiOnly()
    {
        var granted = typeof(IOutbox).Assembly.GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>()
            .Select(a => a.AssemblyName)
            .ToList();

        Assert.NotEmpty(granted); // the tests' own grants: the attribute is read
        Assert.All(Packages.Skip(1), package => Assert.DoesNotContain(package.GetName().Name, granted));
    }

    /// <summary>The lines of a package's two baselines, each of which starts by declaring nullability.</summary>
    private static HashSet<string> Baseline(string package)
    {
        var lines = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" })
        {
            var text = File.ReadAllLines(Path.Combine(Outbox.Testing.Repository.Root, "src", package, file));
            Assert.True(text is ["#nullable enable", ..], $"src/{package}/{file} does not start with #nullable enable.");
            lines.UnionWith(text.Skip(1));
        }

        return lines;
    }

    /// <summary>A type as the baselines write it: <c>Outbox.IMessageHandler&lt;TMessage&gt;</c>, nested types after a dot.</summary>
    private static string Name(Type type)
    {
        var name = type.IsNested ? Name(type.DeclaringType!) + "." + type.Name : type.Namespace + "." + type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick] + "<" + string.Join(", ", type.GetGenericArguments().Select(a => a.Name)) + ">";
    }
}
