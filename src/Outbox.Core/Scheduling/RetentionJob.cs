using Microsoft.Extensions.Logging;
using Outbox.Telemetry;
using Quartz;

namespace Outbox.Scheduling;

[DisallowConcurrentExecution]
internal sealed class RetentionJob(OutboxMaintenance maintenance, ILogger<RetentionJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            await maintenance.CleanUpAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.JobFailed(logger, ex, nameof(RetentionJob));
        }
    }
}
