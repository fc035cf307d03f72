using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Outbox.Storage;

namespace Outbox.Testing;

/// <summary>A store whose dispatch facet runs an action as each claim returns, before the poller's next query: to move a fake clock while a claim runs, or to count claims.</summary>
public class ClockMovingStore : DispatchProxy
{
    private object _inner = null!;
    private Action _afterClaim = null!;

    internal static IOutboxStore Create(IOutboxStore inner, Action afterClaim) => Wrap(inner, afterClaim);

    private static T Wrap<T>(T inner, Action afterClaim)
        where T : class
    {
        var proxy = Create<T, ClockMovingStore>();
        var moving = (ClockMovingStore)(object)proxy;
        moving._inner = inner;
        moving._afterClaim = afterClaim;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var result = targetMethod!.Invoke(_inner, args);
        return targetMethod.Name switch
        {
            "get_" + nameof(IOutboxStore.Dispatch) => Wrap((IDispatchStore)result!, _afterClaim),
            nameof(IDispatchStore.ClaimAsync) => AfterAsync((Task<IDispatchClaim>)result!),
            _ => result,
        };
    }

    private async Task<IDispatchClaim> AfterAsync(Task<IDispatchClaim> claim)
    {
        var claimed = await claim;
        _afterClaim();
        return claimed;
    }
}

internal static class ServiceCollectionDecoration
{
    /// <summary>Replaces the last registration of <typeparamref name="T"/> with a singleton wrapping what it created.</summary>
    public static void Decorate<T>(this IServiceCollection services, Func<T, T> decorate)
        where T : class
    {
        var original = services.Last(d => d.ServiceType == typeof(T));
        services.Remove(original);
        services.AddSingleton(sp => decorate((T)(original.ImplementationInstance
            ?? original.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, original.ImplementationType!))));
    }
}
