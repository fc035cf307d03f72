namespace Outbox.Configuration;

/// <summary>A duration that must be longer than zero, named in the message as the configuration writes it.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class LongerThanZeroAttribute : SettingRangeAttribute
{
    public LongerThanZeroAttribute()
        : base(typeof(TimeSpan), "00:00:00", "10675199.02:48:05.4775807") => MinimumIsExclusive = true;
}
