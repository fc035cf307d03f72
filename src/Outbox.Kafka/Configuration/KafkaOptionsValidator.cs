using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Outbox.Kafka.Connection;

namespace Outbox.Kafka.Configuration;

/// <summary>Checks the Kafka settings at start-up; each failure names the setting and the bad value (secrets hidden).</summary>
/// <param name="environment">The host's environment; the mock cluster is refused outside Development, and without one.</param>
internal sealed class KafkaOptionsValidator(IHostEnvironment? environment = null) : IValidateOptions<KafkaOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            errors.Add($"Outbox:Kafka:BootstrapServers must name at least one broker, such as {KafkaDefaults.BootstrapServers}.");
        }

        else if (KafkaBrokers.IsMock(options.BootstrapServers) && environment?.IsDevelopment() != true)
        {
            errors.Add($"Outbox:Kafka:BootstrapServers is '{KafkaDefaults.MockCluster}', librdkafka's mock cluster inside this process, which is for development only; the environment is '{environment?.EnvironmentName ?? "unknown"}'. Name the brokers, or run in Development.");
        }

        errors.AddRange(KafkaSettings.Conflicts(options));
        if (options.ConnectionTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Outbox:Kafka:ConnectionTimeout must be positive (was {options.ConnectionTimeout}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
