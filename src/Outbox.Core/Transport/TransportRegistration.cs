namespace Outbox.Transport;

/// <summary>A transport registered under a name with <c>UseTransport</c>.</summary>
/// <param name="Name">The name configuration uses for it (<c>Outbox:Transport</c>, a consumer's <c>Transport</c>).</param>
/// <param name="Transport">Creates its send side.</param>
/// <param name="Receiver">Creates its receive side; <see langword="null"/> for a transport that cannot receive.</param>
internal sealed record TransportRegistration(string Name, Func<IServiceProvider, ITransport> Transport, Func<IServiceProvider, IMessageReceiver>? Receiver);
