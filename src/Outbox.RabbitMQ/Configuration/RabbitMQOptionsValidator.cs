using Microsoft.Extensions.Options;
using Outbox.RabbitMQ.Connection;

namespace Outbox.RabbitMQ.Configuration;

/// <summary>Checks the RabbitMQ settings at start-up; each failure names the setting and the bad value (passwords hidden).</summary>
internal sealed class RabbitMQOptionsValidator : IValidateOptions<RabbitMQOptions>
{
    private static readonly string[] ExchangeTypes = ["topic", "direct", "fanout"];

    public ValidateOptionsResult Validate(string? name, RabbitMQOptions options)
    {
        var errors = new List<string>();
        if (!System.Uri.TryCreate(options.Uri, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps") || uri.Host.Length == 0)
        {
            errors.Add($"Outbox:RabbitMQ:Uri must be an amqp:// or amqps:// URI with a host, such as {RabbitMQDefaults.Uri} (was '{BrokerAddress.Redact(options.Uri ?? "")}').");
        }

        if (string.IsNullOrWhiteSpace(options.Exchange) && !options.ExchangePerDestination)
        {
            errors.Add("Outbox:RabbitMQ:Exchange must name an exchange (the default exchange cannot be used: it has no bindings).");
        }

        if (!ExchangeTypes.Contains(options.ExchangeType))
        {
            errors.Add($"Outbox:RabbitMQ:ExchangeType must be one of {string.Join(", ", ExchangeTypes)} (was '{options.ExchangeType}').");
        }

        if (options.PrefetchCount == 0)
        {
            errors.Add("Outbox:RabbitMQ:PrefetchCount must be at least 1 (0 would let the broker push a whole queue into memory).");
        }

        if (options.ConnectionTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Outbox:RabbitMQ:ConnectionTimeout must be positive (was {options.ConnectionTimeout}).");
        }

        if (options.RecoveryInterval <= TimeSpan.Zero)
        {
            errors.Add($"Outbox:RabbitMQ:RecoveryInterval must be positive (was {options.RecoveryInterval}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
