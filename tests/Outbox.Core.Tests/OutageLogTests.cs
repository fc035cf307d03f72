using Microsoft.Extensions.Logging;
using Outbox.Telemetry;
using Outbox.Testing;

namespace Outbox.Tests;

/// <summary>An outage of the database, as one component logs it: one warning, one line when it ends, debug in between.</summary>
public sealed class OutageLogTests
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new();
    private readonly LogCapture _logs = new();

    [Fact]
    public void AnOutage_OneWarningWithItsException_DebugInside_OneLineWhenItEnds()
    {
        var outage = Outage();
        var first = new TimeoutException("no answer");

        Assert.True(outage.Failed(first, Every));
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(Every);
            Assert.False(outage.Failed(new TimeoutException("still none"), Every));
        }

        outage.Answered();
        outage.Answered();

        Assert.Equal([(LogLevel.Warning, 34)], Levels(LogLevel.Information + 1));
        Assert.Same(first, _logs.Entries.Single(e => e.EventId.Id == 34).Exception);
        Assert.Equal(10, _logs.Entries.Count(e => e.EventId.Id == 35 && e.Level == LogLevel.Debug));
        Assert.Equal("The dispatcher reaches the database again, after 00:00:50.", Assert.Single(_logs.Entries, e => e.EventId.Id == 36).Message);
    }

    [Fact]
    public void AFailureRightAfterTheEnd_BelongsToThatOutage_ALaterOneStartsAnother()
    {
        var outage = Outage();
        outage.Failed(new TimeoutException("restarting"), Every);
        _time.Advance(Every);
        outage.Answered();

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(outage.Failed(new IOException("a pooled connection was closed by the restart"), Every));
        outage.Answered();
        Assert.Equal([(LogLevel.Warning, 34), (LogLevel.Information, 36)], Levels(LogLevel.Information));

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(outage.Failed(new TimeoutException("down again"), Every));
        Assert.Equal(2, _logs.Entries.Count(e => e.EventId.Id == 34));
    }

    private OutageLog Outage() => new(new LoggerFactory([_logs]).CreateLogger("test"), "The dispatcher", _time);

    private List<(LogLevel, int)> Levels(LogLevel atLeast) => [.. _logs.Entries.Where(e => e.Level >= atLeast).Select(e => (e.Level, e.EventId.Id))];
}
