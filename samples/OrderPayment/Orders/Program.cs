using OrderPayment.Orders;

var app = OrdersService.Build(args);
await OrdersService.CreateDatabaseAsync(app.Services);
await app.RunAsync();
