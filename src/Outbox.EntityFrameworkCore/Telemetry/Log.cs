using Microsoft.Extensions.Logging;

namespace Outbox.EntityFrameworkCore.Telemetry;

/// <summary>The EF Core store's log messages. Event ids are Core's where a message moved here from Core.</summary>
internal static partial class Log
{
    [LoggerMessage(9, LogLevel.Information, "Requeued {Count} dead letter(s).")]
    public static partial void Requeued(ILogger logger, int count);
}
