using Microsoft.Extensions.Options;

namespace Outbox.Kafka.Configuration;

/// <summary>Checks the Kafka settings at start-up; each failure names the setting and the bad value (secrets hidden).</summary>
internal sealed class KafkaOptionsValidator : IValidateOptions<KafkaOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            errors.Add($"Outbox:Kafka:BootstrapServers must name at least one broker, such as {KafkaDefaults.BootstrapServers}.");
        }

        errors.AddRange(KafkaSettings.Conflicts(options));
        if (options.ConnectionTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Outbox:Kafka:ConnectionTimeout must be positive (was {options.ConnectionTimeout}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
