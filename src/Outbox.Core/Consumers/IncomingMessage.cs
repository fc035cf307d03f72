using Outbox.Transport;

namespace Outbox.Consumers;

/// <summary>The message being handled on this async flow, so that what its handler publishes can carry its correlation id on.</summary>
internal static class IncomingMessage
{
    private static readonly AsyncLocal<TransportMessage?> Handled = new();

    /// <summary>The message whose handler runs on this flow; <see langword="null"/> outside a handler. Set for the rest of the async method that sets it.</summary>
    public static TransportMessage? Current
    {
        get => Handled.Value;
        set => Handled.Value = value;
    }
}
