using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Dashboard.Rendering;

namespace Outbox.Dashboard.Pages;

/// <summary>One request to the dashboard: its query, its links under the dashboard's path, and the layout every page shares.</summary>
internal sealed class DashboardPage(HttpContext context, string root)
{
    private static readonly (string Path, string Title)[] Sections =
        [("", "Overview"), ("/messages", "Messages"), ("/half-messages", "Half messages"), ("/dead-letters", "Dead letters")];

    private readonly List<string> _warnings = [];

    public HttpContext Context => context;

    public T Service<T>()
        where T : notnull => context.RequestServices.GetRequiredService<T>();

    /// <summary>The address of a dashboard page, such as <c>/dead-letters</c>.</summary>
    public string Url(string path) => $"{context.Request.PathBase}{root}{path}";

    /// <summary>A query value, or <see langword="null"/> when it is absent or blank.</summary>
    public string? Query(string name) => context.Request.Query[name].FirstOrDefault() is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>A query instant (UTC, as a <c>datetime-local</c> box sends it); a value that is no instant is reported on the page and ignored.</summary>
    public DateTimeOffset? Instant(string name)
    {
        if (Query(name) is not { } value)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return at;
        }

        _warnings.Add($"“{value}” is not a time; the filter {name} was left out.");
        return null;
    }

    /// <summary>The page number of a paged list, from 1: 1 without one, <see langword="null"/> for one that is not a page (not a number, below 1, or past the last page a list can have).</summary>
    public int? PageNumber => Query("page") is not { } text ? 1
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page is > 0 and <= MaxPage ? page
        : null;

    /// <summary>The answer to a query with a page number that is not a page.</summary>
    public IResult NoSuchPage() => Render(
        "No such page",
        html => html.Element("p", $"“{Query("page")}” is not a page number: give a number from 1 to {MaxPage:N0}."),
        StatusCodes.Status400BadRequest);

    // Pages whose first row's offset an int holds.
    private const int MaxPage = int.MaxValue / MessagesPage.PageSize;

    // What a redirect after an action reports: the product's own words, with only a count taken from the query.
    private string? Notice() => (Query("done"), int.TryParse(Query("count"), NumberStyles.None, CultureInfo.InvariantCulture, out var count)) switch
    {
        ("requeued", true) => $"Requeued {count} dead letter(s); the dispatcher sends them at its next poll.",
        ("purged", true) => $"Purged {count} dead letter(s).",
        ("none", _) => "Nothing was selected.",
        _ => null,
    };

    /// <summary>The hidden field that proves a form came from this dashboard.</summary>
    public void AntiforgeryField(Html html)
    {
        var tokens = Service<IAntiforgery>().GetAndStoreTokens(context);
        html.Hidden(tokens.FormFieldName, tokens.RequestToken);
    }

    /// <summary>The page: the shared head and navigation, any notice, then <paramref name="body"/>.</summary>
    public IResult Render(string title, Action<Html> body, int statusCode = StatusCodes.Status200OK)
    {
        var html = new Html();
        html.Raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
            .Raw("<title>").Text(title).Raw(" · Outbox</title><style>").Raw(Style.Css).Raw("</style></head><body><nav><strong>Outbox</strong>");
        foreach (var (path, name) in Sections)
        {
            html.Link(Url(path), name);
        }

        html.Raw("</nav><main>").Element("h1", title);
        if (Notice() is { } notice)
        {
            html.Element("p", notice, "notice");
        }

        var content = new Html();
        body(content);
        foreach (var warning in _warnings)
        {
            html.Element("p", warning, "warning");
        }

        html.Raw(content.ToString()).Raw("</main></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8", statusCode: statusCode);
    }

    /// <summary>The page's query with <paramref name="name"/> set to <paramref name="value"/>, for paging links.</summary>
    public string WithQuery(string path, string name, string value)
    {
        var query = context.Request.Query.Where(q => q.Key != name && q.Key != "done")
            .Select(q => new KeyValuePair<string, string?>(q.Key, q.Value.ToString()))
            .Append(new KeyValuePair<string, string?>(name, value));
        return Url(path) + QueryString.Create(query);
    }
}
