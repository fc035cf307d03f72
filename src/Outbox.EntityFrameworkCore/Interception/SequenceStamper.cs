using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Outbox.EntityFrameworkCore.Dialects;
using Outbox.EntityFrameworkCore.Storage;
using Outbox.Storage;
using Outbox.Transport;

namespace Outbox.EntityFrameworkCore.Interception;

/// <summary>
/// Gives numbered messages their numbers in the transaction that saves them: each takes the next value of
/// its destination and key's row in <c>outbox_sequences</c>, which stays locked until that transaction
/// ends. Writers of one key so take their numbers one after another, in the order they commit, and a
/// transaction that rolls back gives its numbers back.
/// </summary>
internal static class SequenceStamper
{
    public static void Stamp(DbContext context, StoreDialect dialect, IReadOnlyList<PublishedMessage> messages)
    {
        context.Database.OpenConnection();
        try
        {
            using var command = Command(context, dialect);
            foreach (var message in messages)
            {
                SetNumber(message, (long)command.With(message).ExecuteScalar()!);
            }
        }
        finally
        {
            context.Database.CloseConnection();
        }
    }

    public static async Task StampAsync(DbContext context, StoreDialect dialect, IReadOnlyList<PublishedMessage> messages, CancellationToken cancellationToken)
    {
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var command = Command(context, dialect);
            await using (command.ConfigureAwait(false))
            {
                foreach (var message in messages)
                {
                    SetNumber(message, (long)(await command.With(message).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
                }
            }
        }
        finally
        {
            await context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private static DbCommand Command(DbContext context, StoreDialect dialect)
    {
        var command = context.Database.GetDbConnection().CreateCommand();
        command.Transaction = context.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = dialect.NextSequence(Tables.Of<SequenceCounterRecord>(context));
        foreach (var name in new[] { "@destination", "@key" })
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static DbCommand With(this DbCommand command, PublishedMessage message)
    {
        command.Parameters[0].Value = message.Row.Destination;
        command.Parameters[1].Value = message.Row.MessageKey;
        return command;
    }

    private static void SetNumber(PublishedMessage message, long number)
    {
        var headers = new Dictionary<string, string>(message.Message.Headers, StringComparer.Ordinal)
        {
            [TransportMessage.SequenceHeader] = number.ToString(CultureInfo.InvariantCulture),
        };
        message.Row.Headers = HeadersJson.Write(headers);
        message.Message = message.Message with { Headers = headers };
    }
}
