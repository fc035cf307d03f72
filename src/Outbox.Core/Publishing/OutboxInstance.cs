using Microsoft.Extensions.Options;

namespace Outbox.Publishing;

/// <summary>The name this process leases rows under.</summary>
internal sealed class OutboxInstance(IOptions<OutboxOptions> options)
{
    public string Id { get; } = string.IsNullOrWhiteSpace(options.Value.InstanceId)
        ? $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}"
        : options.Value.InstanceId;
}
