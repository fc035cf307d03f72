namespace Outbox.RabbitMQ.Connection;

/// <summary>Writes broker URIs for people, never with a password in them.</summary>
internal static class BrokerAddress
{
    private const string Hidden = "***";

    /// <summary>
    /// <paramref name="uri"/> for logs and errors. A well-formed URI keeps its user name and shows its password
    /// as <c>***</c>. Anything else (a typo'd scheme, an unencoded <c>@</c> or space in the password) loses its
    /// whole user-info, which is taken to end at the last <c>@</c>: a host never holds one, a password may.
    /// A malformed URI without user-info is not shown at all, since a password may still be in it.
    /// </summary>
    public static string Redact(string uri)
    {
        var separator = uri.IndexOf("://", StringComparison.Ordinal);
        var authority = separator < 0 ? 0 : separator + 3;
        var wellFormed = separator > 0 && Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && !uri.Any(char.IsWhiteSpace)
            && parsed.Scheme is "amqp" or "amqps" && parsed.Host.Length > 0;
        var at = uri.LastIndexOf('@');
        if (at < authority)
        {
            return wellFormed ? uri : $"{(separator > 0 ? uri[..authority] : "")}{Hidden} (not a valid URI)";
        }

        var userInfo = uri[authority..at];
        var user = wellFormed && userInfo.IndexOf('@', StringComparison.Ordinal) < 0
            ? userInfo.Split(':', 2) is [var name, _] ? $"{name}:{Hidden}" : userInfo
            : Hidden;
        return $"{uri[..authority]}{user}@{uri[(at + 1)..]}";
    }

    /// <summary>Hides every occurrence of <paramref name="password"/>, as written and as decoded, in <paramref name="text"/>, for messages that come from the client library.</summary>
    public static string Scrub(string text, string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return text;
        }

        text = text.Replace(password, Hidden, StringComparison.Ordinal);
        var decoded = Uri.UnescapeDataString(password);
        return decoded.Length == 0 ? text : text.Replace(decoded, Hidden, StringComparison.Ordinal);
    }
}
