using System.Data.Common;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrderPayment.Orders;
using Outbox;

/// <summary>
/// <c>--dashboard</c>: after the run, the Orders API stays up in the Development environment with the
/// outbox dashboard at <c>/outbox</c>, and a fault gives it a dead letter to look at. The runner locks the
/// Orders table against updates, as a long migration would, and places one more order: Payments charges it,
/// Orders cannot save the payment, and after three deliveries PaymentCaptured is a dead letter of the
/// <c>orders-paid</c> consumer. The lock is lifted; requeued from the dashboard, the payment is delivered
/// again and the order turns Paid.
/// </summary>
internal static class DashboardDemo
{
    /// <summary>Orders' settings in this mode: Development, for the dashboard; three deliveries a second apart before a dead letter.</summary>
    public static readonly string[] OrdersSettings =
        ["--environment", "Development", "--Outbox:Consumers:MaxDeliveries=3", "--Outbox:Consumers:RedeliveryDelay=00:00:01"];

    /// <summary>Puts <paramref name="ordersLock"/> on every Orders context.</summary>
    public static void AddLock(IServiceCollection services, OrdersTableLock ordersLock)
    {
        services.ConfigureDbContext<OrdersDbContext>(options => options.AddInterceptors(ordersLock));
        services.ConfigureDbContext<PostgreSqlOrdersDbContext>(options => options.AddInterceptors(ordersLock));
        services.ConfigureDbContext<MySqlOrdersDbContext>(options => options.AddInterceptors(ordersLock));
    }

    /// <summary>Runs the demo until <paramref name="stopping"/> is cancelled (SIGTERM or Ctrl+C).</summary>
    public static async Task RunAsync(IServiceProvider orders, HttpClient http, OrdersTableLock ordersLock, CancellationToken stopping)
    {
        try
        {
            Console.WriteLine();
            Console.WriteLine("Dashboard: the runner locks the Orders table against updates, as a long migration would, and places one more order.");
            ordersLock.Locked = true;
            var response = await http.PostAsJsonAsync("/orders", new PlaceOrder("dashboard-demo", 42m));
            response.EnsureSuccessStatusCode();
            var id = (await response.Content.ReadFromJsonAsync<Created>())!.Id;

            var deadLetters = orders.GetRequiredService<IDeadLetterQueue>();
            while ((await deadLetters.ListAsync(new DeadLetterFilter { Consumer = "orders-paid" }, cancellationToken: stopping)).Count == 0)
            {
                await Task.Delay(200, stopping);
            }

            ordersLock.Locked = false;
            Console.WriteLine($"Orders could not save the payment of order {id} three times: its PaymentCaptured is a dead letter of orders-paid. The lock is lifted.");
            Console.WriteLine($"Open {http.BaseAddress}outbox/dead-letters, requeue it, and watch the order turn Paid here. Ctrl+C stops.");

            while ((await http.GetFromJsonAsync<OrderView>($"/orders/{id}", stopping))!.Status != "Paid")
            {
                await Task.Delay(500, stopping);
            }

            Console.WriteLine($"order {id} is Paid: the requeued PaymentCaptured reached Orders.");
            await Task.Delay(Timeout.Infinite, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // SIGTERM or Ctrl+C
        }
    }
}

/// <summary>While <see cref="Locked"/>, every update of the Orders table fails, as under a lock held by a migration.</summary>
internal sealed class OrdersTableLock : DbCommandInterceptor
{
    public volatile bool Locked;

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Check(command);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Check(command);
        return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
    }

    private void Check(DbCommand command)
    {
        if (Locked && command.CommandText.Contains("UPDATE \"Orders\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The Orders table is locked by a migration (the runner's --dashboard fault).");
        }
    }
}
