using Outbox.Consumers;

namespace Outbox.Tests;

public sealed class InboxOutcomeTests
{
    [Fact]
    public void Failed_KeepsTheMessageOfEveryExceptionInside_OutermostFirst()
    {
        var save = new InvalidOperationException(
            "An error occurred while saving the entity changes. See the inner exception for details.",
            new TimeoutException("The Orders table is locked."));

        var outcome = InboxOutcome.Failed(save);

        Assert.Equal("An error occurred while saving the entity changes. See the inner exception for details. → The Orders table is locked.", outcome.Error);
        Assert.Same(save, outcome.Exception);
    }
}
