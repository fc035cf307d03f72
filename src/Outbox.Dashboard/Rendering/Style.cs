namespace Outbox.Dashboard.Rendering;

/// <summary>The dashboard's one style sheet, inline in every page: no files to serve, nothing to build.</summary>
internal static class Style
{
    public const string Css = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1c1c1c;background:#fafafa}
        nav{display:flex;gap:1.2em;align-items:center;padding:.7em 1.5em;background:#20303f;color:#fff}
        nav a{color:#cfe3f7;text-decoration:none}nav a:hover{text-decoration:underline}
        main{padding:1em 1.5em}h1{font-size:1.4em;margin:.2em 0 .8em}h2{font-size:1.1em;margin-top:1.5em}
        table{border-collapse:collapse;background:#fff;margin:.5em 0;min-width:50%}
        th,td{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#eef1f4}
        td.number{text-align:right}td.empty{color:#777;font-style:italic}td.id{white-space:nowrap;font-family:ui-monospace,monospace;font-size:.92em}
        .cards{display:flex;gap:1em;flex-wrap:wrap}.card{background:#fff;border:1px solid #ddd;padding:.6em 1em;min-width:9em}
        .card b{display:block;font-size:1.6em}
        form.filters{display:flex;gap:.8em;flex-wrap:wrap;align-items:end;margin-bottom:.8em}
        label{display:flex;flex-direction:column;font-size:.85em;color:#444}
        .notice{background:#e3f4e1;border:1px solid #9c9;padding:.5em}.warning{background:#fff4d6;border:1px solid #dc6;padding:.5em}
        .danger{background:#b3261e;color:#fff;border:0;padding:.4em .9em}button{padding:.4em .9em;margin:.2em .4em .2em 0}
        pre{background:#fff;border:1px solid #ddd;padding:.6em;white-space:pre-wrap;word-break:break-all}
        svg rect{fill:#4a7fb0}svg text{font-size:10px;fill:#555}
        """;
}
