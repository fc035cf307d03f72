using System.Globalization;
using Outbox.Dashboard.Rendering;

namespace Outbox.Dashboard.Pages;

/// <summary>The overview: counts by state, the most overdue message, each destination, and a chart of the last hour's sends.</summary>
internal static class OverviewPage
{
    public static async Task<Microsoft.AspNetCore.Http.IResult> RenderAsync(DashboardPage page, CancellationToken cancellationToken)
    {
        var monitor = page.Service<IOutboxMonitor>();
        var status = await monitor.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var gaps = await monitor.ListSequenceGapsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return page.Render("Overview", html =>
        {
            html.Raw("<div class=\"cards\">");
            Card(html, "pending", status.Pending, page.Url("/messages?state=pending"));
            Card(html, "being sent", status.Sending, page.Url("/messages?state=being+sent"));
            Card(html, "half messages", status.HalfMessages, page.Url("/half-messages"));
            Card(html, "sent in the last hour", status.SentLastHour, page.Url("/messages?state=sent"));
            Card(html, "dead letters", status.DeadLetters, page.Url("/dead-letters"));
            html.Raw("<div class=\"card\">most overdue<b id=\"oldest-pending\">")
                .Text(status.OldestDueAt is { } due ? Format.Age(status.At - due) : "none")
                .Raw("</b></div></div>");

            html.Element("h2", "Sent per five minutes, last hour");
            Chart(html, status);

            html.Element("h2", "Destinations");
            html.Table(
                ["destination", "unsent", "most overdue", "sent in the last hour"],
                status.Destinations,
                (row, d) => row.LinkCell(page.Url("/messages?destination=" + Uri.EscapeDataString(d.Destination)), d.Destination)
                    .Cell(d.Unsent)
                    .Cell(d.OldestDueAt is { } at ? Format.Age(status.At - at) : "")
                    .Cell(d.SentLastHour),
                "No message is waiting or was sent in the last hour.");

            html.Element("h2", "Missing sequence numbers");
            html.Table(
                ["consumer", "producer", "key", "missing", "found (UTC)"],
                gaps,
                (row, g) => row.Cell(g.Consumer).Cell(g.Source).Cell(g.Key)
                    .Cell(g.FirstMissing == g.LastMissing ? $"{g.FirstMissing}" : $"{g.FirstMissing}–{g.LastMissing}").Cell(Format.Time(g.DetectedAt)),
                "No consumer that checks sequence numbers has found one missing.");
        });
    }

    private static void Card(Html html, string name, int count, string href) =>
        html.Raw("<div class=\"card\">").Link(href, name).Raw("<b data-count=\"").Text(name).Raw("\">").Text(count).Raw("</b></div>");

    /// <summary>A bar per five minutes, drawn as SVG: no script, no library.</summary>
    private static void Chart(Html html, OutboxStatus status)
    {
        const int Width = 30, Height = 90;
        var counts = status.SentPerFiveMinutes;
        var highest = Math.Max(1, counts.Max());
        html.Raw($"<svg role=\"img\" aria-label=\"messages sent per five minutes\" width=\"{counts.Count * Width}\" height=\"{Height + 28}\">");
        for (var i = 0; i < counts.Count; i++)
        {
            var height = (int)Math.Round((double)counts[i] / highest * Height);
            var minutesAgo = (counts.Count - i) * 5;
            html.Raw(string.Create(CultureInfo.InvariantCulture, $"<rect x=\"{(i * Width) + 3}\" y=\"{Height - height + 12}\" width=\"{Width - 6}\" height=\"{height}\"><title>"))
                .Text($"{counts[i]} sent {minutesAgo}–{minutesAgo - 5} min ago")
                .Raw(string.Create(CultureInfo.InvariantCulture, $"</title></rect><text x=\"{(i * Width) + 4}\" y=\"10\">{counts[i]}</text>"));
        }

        html.Raw(string.Create(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{Height + 26}\">60 min ago</text><text x=\"{(counts.Count * Width) - 24}\" y=\"{Height + 26}\">now</text></svg>"));
    }
}
