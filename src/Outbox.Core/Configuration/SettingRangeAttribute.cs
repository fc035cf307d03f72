using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Outbox.Configuration;

/// <summary>
/// A <see cref="RangeAttribute"/> whose message names the setting as it is written in the configuration
/// (<c>Outbox:Dispatch:BatchSize</c>), the range and the value found.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal class SettingRangeAttribute : RangeAttribute
{
    public SettingRangeAttribute(int minimum, int maximum)
        : base(minimum, maximum)
    {
    }

    public SettingRangeAttribute(double minimum, double maximum)
        : base(minimum, maximum)
    {
    }

    public SettingRangeAttribute(Type type, string minimum, string maximum)
        : base(type, minimum, maximum)
    {
    }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        IsValid(value) ? ValidationResult.Success : new ValidationResult(
            string.Create(CultureInfo.InvariantCulture, $"{Setting(validationContext.DisplayName)} must be {Bounds()} (was {value})."));

    // The generated validator names a member OutboxOptions.Dispatch.BatchSize; the configuration, Outbox:Dispatch:BatchSize.
    private static string Setting(string displayName) =>
        "Outbox:" + displayName[(displayName.IndexOf('.', StringComparison.Ordinal) + 1)..].Replace('.', ':');

    private string Bounds() => (Minimum, Maximum, MinimumIsExclusive) switch
    {
        (TimeSpan min, TimeSpan max, true) when min == TimeSpan.Zero && max == TimeSpan.MaxValue => "longer than zero",
        (TimeSpan min, TimeSpan max, _) => $"between {Duration(min)} and {Duration(max)}",
        (int min, int.MaxValue, _) when min == 1 => "greater than 0",
        (int min, int.MaxValue, _) => string.Create(CultureInfo.InvariantCulture, $"at least {min}"),
        (_, _, true) => string.Create(CultureInfo.InvariantCulture, $"greater than {Minimum} and at most {Maximum}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"between {Minimum} and {Maximum}"),
    };

    /// <summary>A duration as a bound reads it: <c>500 ms</c>, <c>1 s</c>, <c>1 hour</c>, <c>1 day</c>, <c>30 days</c>.</summary>
    internal static string Duration(TimeSpan value) => value switch
    {
        { TotalHours: 1 } => "1 hour",
        { TotalDays: 1 } => "1 day",
        { TotalDays: >= 2 } when value.Ticks % TimeSpan.TicksPerDay == 0 => string.Create(CultureInfo.InvariantCulture, $"{value.TotalDays} days"),
        { TotalHours: > 1 } => string.Create(CultureInfo.InvariantCulture, $"{value.TotalHours} hours"),
        { TotalSeconds: >= 1 } when value.Ticks % TimeSpan.TicksPerSecond == 0 => string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds} ms"),
    };
}
