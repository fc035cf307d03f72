using Microsoft.Extensions.Logging;
using Outbox.Telemetry;
using Quartz;

namespace Outbox.Scheduling;

[DisallowConcurrentExecution]
internal sealed class RecoveryJob(OutboxMaintenance maintenance, ILogger<RecoveryJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            await maintenance.RecoverAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.JobFailed(logger, ex, nameof(RecoveryJob));
        }
    }
}
