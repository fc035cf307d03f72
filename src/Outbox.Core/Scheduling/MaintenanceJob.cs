using Microsoft.Extensions.Logging;
using Outbox.Telemetry;
using Quartz;

namespace Outbox.Scheduling;

/// <summary>A maintenance job: a failure is logged and the job runs again at its next interval.</summary>
internal abstract class MaintenanceJob(ILogger logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.JobFailed(logger, ex, GetType().Name);
        }
    }

    protected abstract Task RunAsync(CancellationToken cancellationToken);
}
