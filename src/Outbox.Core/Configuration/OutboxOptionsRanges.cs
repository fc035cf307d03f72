using Microsoft.Extensions.Options;

namespace Outbox.Configuration;

/// <summary>The settings' ranges, from their <see cref="SettingRangeAttribute"/>s; generated at build time.</summary>
[OptionsValidator]
internal sealed partial class OutboxOptionsRanges : IValidateOptions<OutboxOptions>;
