namespace Outbox.Benchmarks;

/// <summary>CPU seconds used by this process, PostgreSQL and RabbitMQ over one measurement.</summary>
internal readonly record struct CpuUse(double Process, double Database, double Broker)
{
    public static CpuUse operator +(CpuUse a, CpuUse b) => new(a.Process + b.Process, a.Database + b.Database, a.Broker + b.Broker);

    /// <summary>Microseconds of CPU per unit of work, for a table cell: "process / PostgreSQL".</summary>
    public string PerUnit(double units) => $"{Process / units * 1e6:0} / {Database / units * 1e6:0}";
}
