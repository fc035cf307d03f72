using OrderPayment.Payments;

var host = PaymentsService.CreateBuilder(args).Build();
await PaymentsService.MigrateDatabaseAsync(host.Services);
await host.RunAsync();
