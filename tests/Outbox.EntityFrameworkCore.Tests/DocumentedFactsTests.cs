using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>Facts the docs state that the product can be asked about: they must agree.</summary>
public sealed partial class DocumentedFactsTests
{
    [Fact]
    public void TheNumberOfTablesTheDocsGive_IsTheNumberAddOutboxTablesMaps()
    {
        var builder = new ModelBuilder();
        builder.AddOutboxTables();
        var mapped = builder.Model.GetEntityTypes().Count();
        var words = new[] { "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine" };

        foreach (var document in new[] { "README.md", "docs/how-it-works.md" })
        {
            var text = File.ReadAllText(Path.Combine(Repository.Root, document));
            var stated = TablesStated().Matches(text).Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(stated);
            Assert.All(stated, count => Assert.True(count == words[mapped], $"{document} says '{count} tables'; AddOutboxTables maps {mapped}."));
        }
    }

    [Fact]
    public void TheTransportsConfigurationLists_AreTheOnesThePackagesRegister()
    {
        var text = File.ReadAllText(Path.Combine(Repository.Root, "docs", "configuration.md"));
        var row = Assert.Single(text.Split('\n'), line => line.StartsWith("| `Transport` |", StringComparison.Ordinal));

        foreach (var name in new[] { Transport.InMemoryTransport.TransportName, Microsoft.Extensions.DependencyInjection.RabbitMQOutboxBuilderExtensions.TransportName, Microsoft.Extensions.DependencyInjection.KafkaOutboxBuilderExtensions.TransportName })
        {
            Assert.Contains($"`{name}`", row, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"\b(one|two|three|four|five|six|seven|eight|nine|ten) tables\b")]
    private static partial Regex TablesStated();
}
