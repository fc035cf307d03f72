using System.Text.RegularExpressions;

namespace Outbox.RabbitMQ.Connection;

/// <summary>Writes broker URIs for people: the password replaced by <c>***</c>.</summary>
internal static partial class BrokerAddress
{
    /// <summary><paramref name="uri"/> with any password between <c>user:</c> and <c>@</c> hidden; works on text that is not a valid URI too.</summary>
    public static string Redact(string uri) => Password().Replace(uri, "$1***@");

    /// <summary>Hides every occurrence of <paramref name="password"/> in <paramref name="text"/>, for messages that come from the client library.</summary>
    public static string Scrub(string text, string? password) =>
        string.IsNullOrEmpty(password) ? text : text.Replace(password, "***", StringComparison.Ordinal);

    [GeneratedRegex(@"(://[^:/@\s]*:)[^@\s]*@")]
    private static partial Regex Password();
}
