using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Outbox.Dashboard.Rendering;

namespace Outbox.Dashboard.Pages;

/// <summary>
/// Requeue and purge, of the dead letters selected on the list or of everything its filter matches. Each
/// form carries the anti-forgery token; the first post shows what it will do and how many it touches, and
/// only the confirmation's post does it, then returns to the list.
/// </summary>
internal static class DeadLetterActions
{
    private const int CountLimit = 1000;

    public static async Task<IResult> RunAsync(DashboardPage page, string action, CancellationToken cancellationToken)
    {
        if (!page.Context.Request.HasFormContentType)
        {
            return page.Render(
                "Refused",
                html => html.Element("p", "The dashboard takes its forms as application/x-www-form-urlencoded or multipart/form-data, as a browser sends them. Nothing was done."),
                StatusCodes.Status400BadRequest);
        }

        if (!await page.Service<IAntiforgery>().IsRequestValidAsync(page.Context).ConfigureAwait(false))
        {
            return page.Render(
                "Refused",
                html => html.Element("p", "This form did not come from this dashboard, or it has expired. Go back, reload the page and try again."),
                StatusCodes.Status400BadRequest);
        }

        var form = await page.Context.Request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        DeadLetterFilter? filter;
        string what;
        try
        {
            (filter, what) = Selection(form);
        }
        catch (FormatException e)
        {
            // Left out, a time filter would widen the selection: a purge would delete more than asked.
            return page.Render("Refused", html => html.Element("p", $"{e.Message} Nothing was done."), StatusCodes.Status400BadRequest);
        }

        if (filter is null)
        {
            return Results.Redirect(page.Url("/dead-letters?done=none"));
        }

        var requeue = action == "requeue";
        var queue = page.Service<IDeadLetterQueue>();
        if (form["confirmed"] != "yes")
        {
            var count = (await queue.ListAsync(filter, 0, CountLimit + 1, cancellationToken).ConfigureAwait(false)).Count;
            var counted = count > CountLimit ? $"more than {CountLimit:N0}" : count.ToString(CultureInfo.InvariantCulture);
            return page.Render(requeue ? "Requeue dead letters?" : "Purge dead letters?", html =>
            {
                html.Element("p", requeue
                    ? $"Requeue {counted} dead letter(s), {what}? The dispatcher sends them again at its next poll; a consumer's dead letter goes back to that consumer only."
                    : $"Purge {counted} dead letter(s), {what}? They are deleted for good.");
                html.Raw("<form method=\"post\">");
                page.AntiforgeryField(html);
                foreach (var (name, values) in form.Where(f => f.Key is "scope" or "id" || DeadLettersPage.FilterFields.Contains(f.Key)))
                {
                    foreach (var value in values)
                    {
                        html.Hidden(name, value);
                    }
                }

                html.Hidden("confirmed", "yes")
                    .Raw(requeue ? "<button>" : "<button class=\"danger\">").Text(requeue ? "Yes, requeue them" : "Yes, purge them").Raw("</button> ")
                    .Link(page.Url("/dead-letters"), "Cancel").Raw("</form>");
            });
        }

        var done = requeue
            ? await queue.RequeueAsync(filter, cancellationToken).ConfigureAwait(false)
            : await queue.PurgeAsync(filter, cancellationToken).ConfigureAwait(false);
        return Results.Redirect(page.Url($"/dead-letters?done={(requeue ? "requeued" : "purged")}&count={done.ToString(CultureInfo.InvariantCulture)}"));
    }

    /// <summary>The dead letters a form names, and the words for them; no filter when it names none.</summary>
    /// <exception cref="FormatException">A time filter is not a time.</exception>
    private static (DeadLetterFilter? Filter, string What) Selection(IFormCollection form)
    {
        if (form["scope"] == "selected")
        {
            var ids = form["id"].Select(id => Guid.TryParse(id, out var guid) ? guid : Guid.Empty).Where(id => id != Guid.Empty).Distinct().ToList();
            return ids.Count == 0
                ? (null, "")
                : (new DeadLetterFilter { MessageIds = ids }, $"of the {ids.Count} selected message(s)");
        }

        string? Field(string name) => form[name] is { Count: > 0 } value && !StringValues.IsNullOrEmpty(value) && !string.IsNullOrWhiteSpace(value[0]) ? value[0]!.Trim() : null;
        DateTimeOffset? Instant(string name) => Field(name) is not { } text ? null
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at
            : throw new FormatException($"“{text}” is not a time, so the filter {name} cannot be applied.");
        var filter = DeadLettersPage.Filter(Field, Instant);
        var conditions = DeadLettersPage.FilterFields.Where(f => Field(f) is not null).Select(f => $"{f} {Field(f)}").ToList();
        return (filter, conditions.Count == 0 ? "all of them" : "matching " + string.Join(", ", conditions));
    }
}
