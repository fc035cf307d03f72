using Microsoft.Extensions.Logging;
using Outbox.Telemetry;
using Quartz;

namespace Outbox.Scheduling;

/// <summary>
/// A maintenance job: it runs again at its next interval whatever happens. A failure (the database is down,
/// say) is logged once, as a warning with its exception, however many runs fail; the run that succeeds
/// after it logs one line.
/// </summary>
internal abstract class MaintenanceJob(ILogger logger, string name, TimeProvider timeProvider, TimeSpan interval) : IJob
{
    private readonly OutageLog _outage = new(logger, name, timeProvider);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(cancellationToken).ConfigureAwait(false);
            _outage.Answered();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            _outage.Failed(ex, interval);
        }
    }

    protected abstract Task RunAsync(CancellationToken cancellationToken);
}
