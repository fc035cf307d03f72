using Microsoft.AspNetCore.Http;
using Outbox.Dashboard.Rendering;
using Outbox.Storage;

namespace Outbox.Dashboard.Pages;

/// <summary>Half messages awaiting their application's commit or rollback, or the check job: how often checked, and when next.</summary>
internal static class HalfMessagesPage
{
    public static async Task<IResult> RenderAsync(DashboardPage page, CancellationToken cancellationToken)
    {
        var filter = new MessageFilter { Status = MessageStatus.Prepared, Kind = MessageKind.Transactional, Destination = page.Query("destination"), MessageType = page.Query("type") };
        if (page.PageNumber is not { } number)
        {
            return page.NoSuchPage();
        }

        var skip = (number - 1) * MessagesPage.PageSize;
        var messages = await page.Service<IOutboxMonitor>().ListMessagesAsync(filter, skip, MessagesPage.PageSize + 1, cancellationToken).ConfigureAwait(false);
        return page.Render("Half messages", html =>
        {
            html.Element("p", "Written with PrepareAsync and not yet committed or rolled back. The check job asks the type's check callback about each once it is due; after Outbox:Transactions:MaxChecks it becomes a dead letter.");
            html.Raw("<form class=\"filters\" method=\"get\">")
                .Input("destination", "destination", page.Query("destination"))
                .Input("type", "type", page.Query("type"))
                .Raw("<button>Filter</button></form>");
            html.Table(
                ["message id", "published (UTC)", "destination", "type", "key", "checks", "next check (UTC)", "last check's error"],
                messages.Take(MessagesPage.PageSize),
                (row, m) => row.LinkCell(page.Url($"/messages/{m.MessageId}"), m.MessageId.ToString())
                    .Cell(Format.Time(m.CreatedAt)).Cell(m.Destination).Cell(m.MessageType).Cell(m.Key)
                    .Cell(m.CheckCount).Cell(Format.Time(m.NextAttemptAt)).Cell(m.LastError),
                "No half message is waiting.");
            MessagesPage.Pager(html, page, "/half-messages", messages.Count > MessagesPage.PageSize);
        });
    }
}
