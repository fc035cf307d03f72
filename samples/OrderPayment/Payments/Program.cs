using OrderPayment.Payments;

var host = PaymentsService.CreateBuilder(args).Build();
await PaymentsService.CreateDatabaseAsync(host.Services);
await host.RunAsync();
