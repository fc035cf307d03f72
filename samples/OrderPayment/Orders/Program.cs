using OrderPayment.Orders;

var app = OrdersService.Build(args);
await OrdersService.MigrateDatabaseAsync(app.Services);
await app.RunAsync();
