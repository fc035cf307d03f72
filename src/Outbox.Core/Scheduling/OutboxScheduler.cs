using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quartz;
using Quartz.Extensibility;

namespace Outbox.Scheduling;

/// <summary>
/// Runs the recovery and retention jobs in a Quartz scheduler of the outbox's own, started and stopped with
/// the host. It is not registered with the host's Quartz, so an application's own Quartz schedulers and
/// their settings (<c>QuartzHostedServiceOptions</c> among them) are left as the application made them.
/// </summary>
internal sealed class OutboxScheduler(IServiceProvider services, IOptions<OutboxOptions> options, TimeProvider timeProvider) : IHostedService, IJobFactory
{
    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Quartz keeps schedulers in a process-wide repository by name: each host gets a name of its own.
        _scheduler = await QuartzSchedulerBuilder.Create(quartz =>
            {
                quartz.ConfigureScheduler(scheduler => scheduler.InstanceName = $"Outbox-{Guid.NewGuid():N}");
                quartz.UseInMemoryStore(_ => { });
                quartz.UseDefaultThreadPool(2);
                quartz.UseTimeProvider(timeProvider);
                quartz.UseJobFactory(this);
            })
            .BuildScheduler(cancellationToken)
            .ConfigureAwait(false);
        await ScheduleAsync<RecoveryJob>("outbox-recovery", options.Value.Transactions.ScanInterval, cancellationToken).ConfigureAwait(false);
        await ScheduleAsync<RetentionJob>("outbox-retention", options.Value.Retention.Interval, cancellationToken).ConfigureAwait(false);
        await _scheduler.Start(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_scheduler is not null)
        {
            await _scheduler.Shutdown(waitForJobsToComplete: true, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new JobScope((IJob)services.GetRequiredService(bundle.JobDetail.JobType.Type), null!));

    public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private async Task ScheduleAsync<TJob>(string name, TimeSpan interval, CancellationToken cancellationToken)
        where TJob : IJob
    {
        var job = JobBuilder.Create<TJob>().WithIdentity(name).Build();
        var trigger = TriggerBuilder.Create().WithIdentity(name).StartNow().WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever()).Build();
        await _scheduler!.ScheduleJob(job, trigger, default, cancellationToken).ConfigureAwait(false);
    }
}
