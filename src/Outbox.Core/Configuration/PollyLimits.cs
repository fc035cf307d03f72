using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Polly.CircuitBreaker;

namespace Outbox.Configuration;

/// <summary>
/// The circuit breaker's settings against Polly's own limits, read from the attributes on Polly's
/// <see cref="CircuitBreakerStrategyOptions"/> rather than restated here, so that they follow Polly.
/// </summary>
internal static class PollyLimits
{
    public static IEnumerable<string> Check(string section, CircuitBreakerOptions breaker)
    {
        var polly = new CircuitBreakerStrategyOptions
        {
            FailureRatio = breaker.FailureRatio,
            MinimumThroughput = breaker.MinimumThroughput,
            SamplingDuration = breaker.SamplingDuration,
            BreakDuration = breaker.BreakDuration,
        };
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(polly, new ValidationContext(polly), results, validateAllProperties: true);
        foreach (var member in results.SelectMany(r => r.MemberNames).Distinct(StringComparer.Ordinal))
        {
            var property = typeof(CircuitBreakerStrategyOptions).GetProperty(member)!;
            var value = Convert.ToString(property.GetValue(polly), CultureInfo.InvariantCulture);
            yield return property.GetCustomAttribute<RangeAttribute>() is { } range
                ? string.Create(CultureInfo.InvariantCulture, $"{section}:{member} must be {Bounds(range, property.PropertyType)}, Polly's limits (was {value}).")
                : $"{section}:{member} is refused by Polly (was {value}).";
        }
    }

    private static string Bounds(RangeAttribute range, Type type)
    {
        if (type == typeof(TimeSpan))
        {
            var (min, max) = (Parse(range.Minimum), Parse(range.Maximum));
            return $"between {SettingRangeAttribute.Duration(min)} and {SettingRangeAttribute.Duration(max)}";
        }

        return Equals(range.Maximum, int.MaxValue)
            ? string.Create(CultureInfo.InvariantCulture, $"at least {range.Minimum}")
            : string.Create(CultureInfo.InvariantCulture, $"between {range.Minimum} and {range.Maximum}");
    }

    private static TimeSpan Parse(object bound) => bound as TimeSpan? ?? TimeSpan.Parse(Convert.ToString(bound, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture);
}
