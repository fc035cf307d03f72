using System.Data.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Outbox.Consumers;
using Outbox.Dispatching;
using Outbox.Storage;
using Outbox.Transport;

namespace Outbox.Health;

/// <summary>The outbox's database is reachable, and no unsent message has been due for longer than <c>Outbox:Health:MaxPendingAge</c>.</summary>
internal sealed class DatabaseHealthCheck(IOutboxStore store, IOptions<OutboxOptions> options, TimeProvider timeProvider) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        DateTimeOffset? due;
        try
        {
            due = await store.Dispatch.GetEarliestDueUnsentAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The database's own words, not those of a retry strategy wrapped around them.
            var cause = Causes(ex).OfType<DbException>().FirstOrDefault() ?? ex;
            return new HealthCheckResult(context.Registration.FailureStatus, $"The outbox database is not reachable: {cause.Message}", ex);
        }

        var now = timeProvider.GetUtcNow();
        var waited = due is { } since && since < now ? now - since : TimeSpan.Zero;
        var data = new Dictionary<string, object> { ["oldest_due_seconds"] = Math.Round(waited.TotalSeconds, 1) };
        var limit = options.Value.Health.MaxPendingAge;
        return (due, waited > limit) switch
        {
            (_, true) => HealthCheckResult.Degraded($"An unsent message has been due for {waited.TotalSeconds:0} s, more than Outbox:Health:MaxPendingAge ({limit.TotalSeconds:0} s).", data: data),
            (null, _) => HealthCheckResult.Healthy("Every message was sent.", data),
            _ when due > now => HealthCheckResult.Healthy("No unsent message is due yet.", data),
            _ => HealthCheckResult.Healthy($"The most overdue message has been due for {waited.TotalSeconds:0} s.", data),
        };
    }

    private static IEnumerable<Exception> Causes(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}

/// <summary>Every transport the service uses reaches its broker.</summary>
internal sealed class TransportHealthCheck(OutboxTransports transports) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var used = transports.Names.Where(transports.IsUsed).Order(StringComparer.Ordinal).ToList();
        var results = await Task.WhenAll(used.Select(name => CheckAsync(name, cancellationToken))).ConfigureAwait(false);
        var worst = results.Min(r => r.Status);
        var description = string.Join(" ", used.Zip(results, (name, r) => $"{name}: {r.Description}"));
        var data = used.Zip(results).ToDictionary(p => p.First, p => (object)p.Second.Status.ToString());
        return new HealthCheckResult(
            worst == HealthStatus.Unhealthy ? context.Registration.FailureStatus : worst,
            description,
            results.FirstOrDefault(r => r.Exception is not null).Exception,
            data);
    }

    private async Task<HealthCheckResult> CheckAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await transports.Get(name).CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy(ex.Message, ex);
        }
    }
}

/// <summary>The dispatcher's fast path and poller run, and every consumer reads.</summary>
internal sealed class RunningHealthCheck(OutboxDispatcher dispatcher, ConsumerHost consumers) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = consumers.NotReading().Select(p => $"Consumer {p.Consumer} {p.Problem.TrimEnd('.')}.").Prepend(dispatcher.NotRunning()).OfType<string>().ToList();
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy("The dispatcher runs and every consumer reads.")
            : new HealthCheckResult(context.Registration.FailureStatus, string.Join(" ", problems)));
    }
}
