using Outbox.Testing;
using Outbox.Transport;

namespace Outbox.Tests;

#region conformance
/// <summary>The in-memory transport passes the suite every transport passes.</summary>
public sealed class InMemoryTransportConformanceTests : TransportConformance
{
    protected override Task<(ITransport Transport, IMessageReceiver Receiver)> CreateAsync()
    {
        var transport = new InMemoryTransport();
        return Task.FromResult<(ITransport, IMessageReceiver)>((transport, transport));
    }
}
#endregion
