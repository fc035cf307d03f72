using Microsoft.AspNetCore.Http;
using Outbox.Dashboard.Rendering;
using Outbox.Storage;

namespace Outbox.Dashboard.Pages;

/// <summary>Outbox messages by filter, newest first, and one message with its headers and payload.</summary>
internal static class MessagesPage
{
    public const int PageSize = 50;

    private static readonly (string Name, MessageStatus Status, MessageKind? Kind)[] States =
    [
        ("pending", MessageStatus.Pending, null),
        ("being sent", MessageStatus.Prepared, MessageKind.Outbox),
        ("half", MessageStatus.Prepared, MessageKind.Transactional),
        ("sent", MessageStatus.Dispatched, null),
        ("rolled back", MessageStatus.RolledBack, null),
    ];

    public static async Task<IResult> ListAsync(DashboardPage page, CancellationToken cancellationToken)
    {
        var state = Array.Find(States, s => s.Name == page.Query("state"));
        var filter = new MessageFilter
        {
            Status = state.Name is null ? null : state.Status,
            Kind = state.Kind,
            Destination = page.Query("destination"),
            MessageType = page.Query("type"),
            Key = page.Query("key"),
            Since = page.Instant("since"),
            Before = page.Instant("before"),
        };
        if (page.PageNumber is not { } number)
        {
            return page.NoSuchPage();
        }

        var skip = (number - 1) * PageSize;
        var messages = await page.Service<IOutboxMonitor>().ListMessagesAsync(filter, skip, PageSize + 1, cancellationToken).ConfigureAwait(false);
        return page.Render("Messages", html =>
        {
            html.Raw("<form class=\"filters\" method=\"get\">")
                .Select("state", "state", page.Query("state"), States.Select(s => s.Name))
                .Input("destination", "destination", page.Query("destination"))
                .Input("type", "type", page.Query("type"))
                .Input("key", "key", page.Query("key"))
                .Input("since", "published since (UTC)", page.Query("since"), "datetime-local")
                .Input("before", "published before (UTC)", page.Query("before"), "datetime-local")
                .Raw("<button>Filter</button></form>");
            html.Table(
                ["message id", "published (UTC)", "state", "destination", "type", "key", "attempts", "last error"],
                messages.Take(PageSize),
                (row, m) => row.LinkCell(page.Url($"/messages/{m.MessageId}"), m.MessageId.ToString())
                    .Cell(Format.Time(m.CreatedAt)).Cell(Format.State(m)).Cell(Format.Destination(m)).Cell(m.MessageType).Cell(m.Key)
                    .Cell(m.Attempts).Cell(m.LastError),
                "No message matches.");
            Pager(html, page, "/messages", messages.Count > PageSize);
        });
    }

    public static async Task<IResult> ShowAsync(DashboardPage page, Guid id, CancellationToken cancellationToken)
    {
        if (await page.Service<IOutboxMonitor>().FindMessageAsync(id, cancellationToken).ConfigureAwait(false) is not { } message)
        {
            return page.Render(
                "Message not found",
                html => html.Element("p", $"The outbox has no message {id}: it was never written, or it was sent and deleted after Outbox:Retention:KeepFinishedFor."),
                StatusCodes.Status404NotFound);
        }

        return page.Render($"Message {id}", html =>
        {
            Fields(html, [
                ("state", Format.State(message)), ("destination", Format.Destination(message)), ("type", message.MessageType), ("key", message.Key),
                ("published (UTC)", Format.Time(message.CreatedAt)), ("due (UTC)", Format.Time(message.DueAt)),
                ("sent (UTC)", Format.Time(message.DispatchedAt)), ("attempts", message.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("checks", message.CheckCount.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("last error", message.LastError),
            ]);
            Contents(html, message.Headers, message.Body);
        });
    }

    /// <summary>Name and value rows.</summary>
    public static void Fields(Html html, IEnumerable<(string Name, string? Value)> fields) =>
        html.Table([], fields, (row, f) => row.Raw("<th>").Text(f.Name).Raw("</th>").Cell(f.Value), "");

    /// <summary>The headers and the payload of a message.</summary>
    public static void Contents(Html html, IReadOnlyDictionary<string, string> headers, ReadOnlyMemory<byte> payload)
    {
        html.Element("h2", "Headers");
        html.Table(["header", "value"], headers.OrderBy(h => h.Key, StringComparer.Ordinal), (row, h) => row.Cell(h.Key).Cell(h.Value), "No headers.");
        html.Element("h2", "Payload");
        html.Raw("<pre id=\"payload\">").Text(Format.Payload(payload)).Raw("</pre>");
    }

    /// <summary>Links to the previous and next page of a list.</summary>
    public static void Pager(Html html, DashboardPage page, string path, bool more)
    {
        var number = page.PageNumber ?? 1;
        html.Raw("<p>");
        if (number > 1)
        {
            html.Link(page.WithQuery(path, "page", (number - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), "← previous").Raw(" ");
        }

        if (more)
        {
            html.Link(page.WithQuery(path, "page", (number + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), "next →");
        }

        html.Raw("</p>");
    }
}
