using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Outbox.Dashboard.Rendering;

/// <summary>A page of HTML written in order: markup as given, every value encoded.</summary>
internal sealed class Html
{
    private readonly StringBuilder _text = new();

    /// <summary>Writes markup the dashboard wrote itself, as is.</summary>
    public Html Raw(string markup)
    {
        _text.Append(markup);
        return this;
    }

    /// <summary>Writes a value (anything read from the database or the request), encoded.</summary>
    public Html Text(string? value)
    {
        _text.Append(HtmlEncoder.Default.Encode(value ?? ""));
        return this;
    }

    public Html Text(int value) => Raw(value.ToString(CultureInfo.InvariantCulture));

    public Html Element(string tag, string? value, string? cssClass = null) =>
        Raw(cssClass is null ? $"<{tag}>" : $"<{tag} class=\"{cssClass}\">").Text(value).Raw($"</{tag}>");

    public Html Link(string href, string? text) => Raw("<a href=\"").Text(href).Raw("\">").Text(text).Raw("</a>");

    public Html Hidden(string name, string? value) =>
        value is null ? this : Raw("<input type=\"hidden\" name=\"").Text(name).Raw("\" value=\"").Text(value).Raw("\">");

    /// <summary>A labelled text box of a filter form.</summary>
    public Html Input(string name, string label, string? value, string type = "text") =>
        Raw("<label>").Text(label).Raw($" <input type=\"{type}\" name=\"").Text(name).Raw("\" value=\"").Text(value).Raw("\"></label>");

    /// <summary>A labelled drop-down of a filter form; the empty choice means any.</summary>
    public Html Select(string name, string label, string? value, IEnumerable<string> choices)
    {
        Raw("<label>").Text(label).Raw(" <select name=\"").Text(name).Raw("\"><option value=\"\">any</option>");
        foreach (var choice in choices)
        {
            Raw(choice == value ? "<option selected>" : "<option>").Text(choice).Raw("</option>");
        }

        return Raw("</select></label>");
    }

    /// <summary>A table: a header row, then each row's cells, written by <paramref name="cells"/>.</summary>
    public Html Table<T>(IReadOnlyList<string> header, IEnumerable<T> rows, Action<Html, T> cells, string empty)
    {
        Raw("<table>");
        if (header.Count > 0)
        {
            Raw("<thead><tr>");
            foreach (var name in header)
            {
                Element("th", name);
            }

            Raw("</tr></thead>");
        }

        Raw("<tbody>");
        var any = false;
        foreach (var row in rows)
        {
            any = true;
            Raw("<tr>");
            cells(this, row);
            Raw("</tr>");
        }

        if (!any)
        {
            Raw($"<tr><td colspan=\"{header.Count}\" class=\"empty\">").Text(empty).Raw("</td></tr>");
        }

        return Raw("</tbody></table>");
    }

    public Html Cell(string? value) => Element("td", value);

    public Html Cell(int value) => Raw("<td class=\"number\">").Text(value).Raw("</td>");

    public Html LinkCell(string href, string text) => Raw("<td class=\"id\">").Link(href, text).Raw("</td>");

    public override string ToString() => _text.ToString();
}
