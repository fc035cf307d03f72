using Microsoft.Extensions.Options;
using Outbox.Consumers;
using Outbox.Transactions;
using Outbox.Transport;

namespace Outbox.Configuration;

/// <summary>
/// Checks the options at start-up beyond the ranges declared on them (<see cref="OutboxOptionsRanges"/>): rules
/// between settings, Polly's own limits (<see cref="PollyLimits"/>), enumerations, and registrations. Each failure names the setting, the bad value and the fix.
/// </summary>
internal sealed class OutboxOptionsValidator(
    IEnumerable<TransactionCheckRegistration> checks,
    IEnumerable<ConsumerRegistration> consumers,
    IEnumerable<TransportRegistration> transports) : IValidateOptions<OutboxOptions>
{
    public OutboxOptionsValidator()
        : this([], [], [])
    {
    }

    public ValidateOptionsResult Validate(string? name, OutboxOptions options)
    {
        var errors = new List<string>();
        var dispatch = options.Dispatch;
        var retry = dispatch.Retry;

        NotShorter(errors, "Outbox:Dispatch:MaxPollInterval", dispatch.MaxPollInterval, "Outbox:Dispatch:PollInterval", dispatch.PollInterval);
        NotShorter(errors, "Outbox:Dispatch:MaxAttemptBackoff", dispatch.MaxAttemptBackoff, "Outbox:Dispatch:AttemptBackoff", dispatch.AttemptBackoff);

        Retry(errors, "Outbox:Dispatch:Retry", retry);
        errors.AddRange(PollyLimits.Check("Outbox:Dispatch:CircuitBreaker", dispatch.CircuitBreaker));
        var longestSend = (retry.MaxRetryAttempts + 1) * (dispatch.AttemptTimeout + retry.MaxDelay);
        if (dispatch.LeaseDuration <= longestSend)
        {
            errors.Add(
                $"Outbox:Dispatch:LeaseDuration ({dispatch.LeaseDuration}) must be longer than a send with all its retries " +
                $"((Retry:MaxRetryAttempts + 1) x (AttemptTimeout + Retry:MaxDelay) = {longestSend}); otherwise another instance may send a row that is still in flight.");
        }

        if (!Enum.IsDefined(options.Transactions.OnCheckLimit))
        {
            errors.Add($"Outbox:Transactions:OnCheckLimit must be DeadLetter, Rollback or Commit (was {options.Transactions.OnCheckLimit}).");
        }

        foreach (var check in checks)
        {
            if (!options.MessageTypes.TryGetName(check.MessageType, out _))
            {
                errors.Add(
                    $"AddTransactionCheck<{check.MessageType.Name}, …>: {check.MessageType.Name} is not a registered message type; " +
                    $"register it with options.Route<{check.MessageType.Name}>(…) or options.AddMessageType<{check.MessageType.Name}>(…).");
            }
        }

        var shared = options.Consumers;
        NotShorter(errors, "Outbox:Consumers:MaxRedeliveryDelay", shared.MaxRedeliveryDelay, "Outbox:Consumers:RedeliveryDelay", shared.RedeliveryDelay);
        Retry(errors, "Outbox:Consumers:Retry", shared.Retry);
        GapHandling(errors, "Outbox:Consumers:OnSequenceGap", shared.OnSequenceGap);
        foreach (var consumer in consumers)
        {
            if (!options.MessageTypes.TryGetName(consumer.MessageType, out _))
            {
                errors.Add(
                    $"Consumer '{consumer.Name}' handles {consumer.MessageType.Name}, which is not a registered message type; " +
                    $"register it with options.AddMessageType<{consumer.MessageType.Name}>(…) or options.Route<{consumer.MessageType.Name}>(…).");
            }

            if (consumer.MaxConcurrency is < 1 or > 1_000 || consumer.MaxDeliveries is < 1 or > 1_000)
            {
                errors.Add($"Consumer '{consumer.Name}': MaxConcurrency and MaxDeliveries must be between 1 and 1000.");
            }

            GapHandling(errors, $"Outbox:Consumers:Endpoints:{consumer.Name}:OnSequenceGap", consumer.OnSequenceGap);
        }

        // No transport at all is reported when the dispatcher is created: it is wiring, not a setting.
        var registered = transports.Select(t => t.Name).ToList();
        if (registered.Count > 0 && OutboxTransports.ChooseDefault(registered, options.Transport, out var problem) is null)
        {
            errors.Add(problem);
        }

        foreach (var (type, transport) in options.RouteTransports.Where(r => !registered.Contains(r.Value, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add(OutboxTransports.Unknown($"Outbox:Routes:{type}:Transport", transport, registered));
        }

        foreach (var consumer in consumers.Where(c => c.Transport is not null && !registered.Contains(c.Transport, StringComparer.OrdinalIgnoreCase)))
        {
            errors.Add(OutboxTransports.Unknown($"Outbox:Consumers:Endpoints:{consumer.Name}:Transport", consumer.Transport!, registered));
        }

        foreach (var duplicate in consumers.GroupBy(c => c.Name).Where(g => g.Count() > 1))
        {
            errors.Add($"Two consumers are named '{duplicate.Key}'; the inbox tells consumers apart by name.");
        }

        foreach (var duplicate in checks.GroupBy(c => c.MessageType).Where(g => g.Count() > 1))
        {
            errors.Add($"AddTransactionCheck is called more than once for {duplicate.Key.Name}; a message type has one check.");
        }

        foreach (var (type, destination) in options.Routes)
        {
            if (string.IsNullOrWhiteSpace(destination))
            {
                errors.Add($"Outbox:Routes:{type} must name a destination (it is empty).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void GapHandling(List<string> errors, string setting, SequenceGapHandling? value)
    {
        if (value is { } handling && !Enum.IsDefined(handling))
        {
            errors.Add($"{setting} must be Report or Hold (was {handling}).");
        }
    }

    private static void Retry(List<string> errors, string section, RetryOptions retry) =>
        NotShorter(errors, $"{section}:MaxDelay", retry.MaxDelay, $"{section}:Delay", retry.Delay);

    private static void NotShorter(List<string> errors, string maxKey, TimeSpan max, string minKey, TimeSpan min)
    {
        if (max < min)
        {
            errors.Add($"{maxKey} ({max}) must not be shorter than {minKey} ({min}).");
        }
    }
}
