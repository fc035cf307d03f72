namespace Outbox.Storage;

/// <summary>The store <c>UseStore</c> registered, created once by the outbox, which wraps it.</summary>
internal sealed record StoreRegistration(Func<IServiceProvider, IOutboxStore> Create);
