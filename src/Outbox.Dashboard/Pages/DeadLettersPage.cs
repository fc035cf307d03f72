using Microsoft.AspNetCore.Http;
using Outbox.Dashboard.Rendering;
using Outbox.Storage;

namespace Outbox.Dashboard.Pages;

/// <summary>Dead letters by filter, oldest first, with requeue and purge of a selection or of the whole filter; and one message's dead letters.</summary>
internal static class DeadLettersPage
{
    /// <summary>The filter fields, as the list's query and the action forms carry them.</summary>
    public static readonly string[] FilterFields = ["source", "consumer", "reason", "destination", "since", "before"];

    public static DeadLetterFilter Filter(Func<string, string?> field, Func<string, DateTimeOffset?> instant) => new()
    {
        Source = field("source"),
        Consumer = field("consumer"),
        Reason = field("reason"),
        Destination = field("destination"),
        Since = instant("since"),
        Before = instant("before"),
    };

    public static async Task<IResult> ListAsync(DashboardPage page, CancellationToken cancellationToken)
    {
        if (page.PageNumber is not { } number)
        {
            return page.NoSuchPage();
        }

        var skip = (number - 1) * MessagesPage.PageSize;
        var filter = Filter(page.Query, page.Instant);
        var letters = await page.Service<IDeadLetterQueue>().ListAsync(filter, skip, MessagesPage.PageSize + 1, cancellationToken).ConfigureAwait(false);
        return page.Render("Dead letters", html =>
        {
            html.Raw("<form class=\"filters\" method=\"get\">")
                .Select("source", "dead-lettered by", page.Query("source"), [DeadLetterSources.Dispatch, DeadLetterSources.TransactionCheck, DeadLetterSources.Consumer])
                .Input("consumer", "consumer", page.Query("consumer"))
                .Input("reason", "reason", page.Query("reason"))
                .Input("destination", "destination", page.Query("destination"))
                .Input("since", "dead-lettered since (UTC)", page.Query("since"), "datetime-local")
                .Input("before", "dead-lettered before (UTC)", page.Query("before"), "datetime-local")
                .Raw("<button>Filter</button></form>");

            html.Raw($"<form method=\"post\" id=\"selection\">");
            page.AntiforgeryField(html);
            html.Hidden("scope", "selected");
            html.Table(
                ["", "message id", "dead-lettered (UTC)", "by", "reason", "attempts", "destination", "type", "last error"],
                letters.Take(MessagesPage.PageSize),
                (row, d) => row.Raw("<td><input type=\"checkbox\" name=\"id\" value=\"").Text(d.MessageId.ToString()).Raw("\" aria-label=\"select\"></td>")
                    .LinkCell(page.Url($"/dead-letters/{d.MessageId}"), d.MessageId.ToString())
                    .Cell(Format.Time(d.DeadLetteredAt)).Cell(d.Consumer ?? d.Source).Cell(d.Reason).Cell(d.Attempts)
                    .Cell(d.Destination).Cell(d.MessageType).Cell(d.LastError),
                "No dead letter matches.");
            html.Raw("<button formaction=\"").Text(page.Url("/dead-letters/requeue")).Raw("\">Requeue selected</button>")
                .Raw("<button class=\"danger\" formaction=\"").Text(page.Url("/dead-letters/purge")).Raw("\">Purge selected</button></form>");
            MessagesPage.Pager(html, page, "/dead-letters", letters.Count > MessagesPage.PageSize);

            html.Raw("<form method=\"post\" id=\"matching\">");
            page.AntiforgeryField(html);
            html.Hidden("scope", "filter");
            foreach (var field in FilterFields)
            {
                html.Hidden(field, page.Query(field));
            }

            html.Raw("<button formaction=\"").Text(page.Url("/dead-letters/requeue")).Raw("\">Requeue all matching</button>")
                .Raw("<button class=\"danger\" formaction=\"").Text(page.Url("/dead-letters/purge")).Raw("\">Purge all matching</button></form>");
        });
    }

    public static async Task<IResult> ShowAsync(DashboardPage page, Guid id, CancellationToken cancellationToken)
    {
        var letters = await page.Service<IDeadLetterQueue>().ListAsync(new DeadLetterFilter { MessageIds = [id] }, 0, 100, cancellationToken).ConfigureAwait(false);
        if (letters.Count == 0)
        {
            return page.Render("Dead letter not found", html => html.Element("p", $"There is no dead letter of message {id}: it was requeued or purged."), StatusCodes.Status404NotFound);
        }

        return page.Render($"Dead letter {id}", html =>
        {
            foreach (var d in letters)
            {
                MessagesPage.Fields(html, [
                    ("dead-lettered by", d.Consumer is null ? d.Source : $"{d.Source} {d.Consumer}"), ("reason", d.Reason),
                    ("attempts", d.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("last error", d.LastError),
                    ("destination", d.Destination), ("type", d.MessageType), ("key", d.Key),
                    ("published (UTC)", Format.Time(d.CreatedAt)), ("dead-lettered (UTC)", Format.Time(d.DeadLetteredAt)),
                ]);
            }

            MessagesPage.Contents(html, letters[0].Headers, letters[0].Payload);
            html.Raw("<form method=\"post\">");
            page.AntiforgeryField(html);
            html.Hidden("scope", "selected").Hidden("id", id.ToString())
                .Raw("<button formaction=\"").Text(page.Url("/dead-letters/requeue")).Raw("\">Requeue</button>")
                .Raw("<button class=\"danger\" formaction=\"").Text(page.Url("/dead-letters/purge")).Raw("\">Purge</button></form>");
        });
    }
}
