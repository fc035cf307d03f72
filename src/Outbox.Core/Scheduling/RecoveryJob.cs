using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace Outbox.Scheduling;

[DisallowConcurrentExecution]
internal sealed class RecoveryJob(OutboxMaintenance maintenance, IOptions<OutboxOptions> options, TimeProvider timeProvider, ILogger<RecoveryJob> logger)
    : MaintenanceJob(logger, "The recovery and check job", timeProvider, options.Value.Transactions.ScanInterval)
{
    protected override Task RunAsync(CancellationToken cancellationToken) => maintenance.RecoverAsync(cancellationToken);
}
