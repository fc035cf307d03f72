using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Outbox;
using Outbox.EntityFrameworkCore;
using Outbox.EntityFrameworkCore.Dialects;
using Outbox.EntityFrameworkCore.Inbox;
using Outbox.EntityFrameworkCore.Storage;
using Outbox.Storage;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Maps the outbox tables into an application's model.</summary>
public static class ModelBuilderExtensions
{
    /// <summary>Maximum length of the destination, message type, key and lease owner columns: the limit Core holds every message to.</summary>
    public const int NameLength = Outbox.Transport.MessageFields.MaxLength;

    /// <summary>Longest error text stored in <c>last_error</c>; longer errors are cut.</summary>
    public const int ErrorLength = 2000;

    private static readonly ValueConverter<DateTime, DateTime> Utc = new(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
    private static readonly ValueConverter<DateTime?, DateTime?> NullableUtc = new(v => v, v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);

    /// <summary>
    /// Adds the outbox's six tables to the model: <c>outbox_messages</c>, <c>outbox_dead_letters</c>,
    /// <c>inbox_messages</c>, and the sequence tables <c>outbox_sequences</c>, <c>inbox_sequences</c> and
    /// <c>inbox_sequence_gaps</c>. Call it from <c>OnModelCreating</c>; create the tables with a migration or
    /// <c>EnsureCreated</c>.
    /// </summary>
    /// <param name="modelBuilder">The model builder.</param>
    /// <param name="schema">The schema of the tables; the default is the database's default schema.</param>
    /// <returns>The model builder.</returns>
    public static ModelBuilder AddOutboxTables(this ModelBuilder modelBuilder, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        return modelBuilder
            .Entity<OutboxRecord>(e => MapMessages(e.ToTable("outbox_messages", schema)))
            .Entity<DeadLetterRecord>(e => MapDeadLetters(e.ToTable("outbox_dead_letters", schema)))
            .Entity<SequenceCounterRecord>(e => MapSequenceCounters(e.ToTable("outbox_sequences", schema)))
            .Entity<InboxRecord>(e => MapInbox(e.ToTable("inbox_messages", schema)))
            .Entity<SequenceRecord>(e => MapSequences(e.ToTable("inbox_sequences", schema)))
            .Entity<SequenceGapRecord>(e => MapSequenceGaps(e.ToTable("inbox_sequence_gaps", schema)));
    }

    private static void MapMessages(EntityTypeBuilder<OutboxRecord> e)
    {
        e.HasKey(m => m.Id).HasName("pk_outbox_messages");
        e.Property(m => m.Id).HasColumnName("id").ValueGeneratedOnAdd();
        e.Property(m => m.MessageId).HasColumnName("message_id");
        e.Property(m => m.Destination).HasColumnName("destination").HasMaxLength(NameLength);
        e.Property(m => m.MessageType).HasColumnName("message_type").HasMaxLength(NameLength);
        e.Property(m => m.MessageKey).HasColumnName("message_key").HasMaxLength(NameLength);
        e.Property(m => m.Payload).HasColumnName("payload");
        e.Property(m => m.Headers).HasColumnName("headers");
        e.Property(m => m.Status).HasColumnName("status");
        e.Property(m => m.Kind).HasColumnName("kind");
        e.Property(m => m.CreatedAt).HasColumnName("created_at").HasConversion(Utc);
        e.Property(m => m.DueAt).HasColumnName("due_at").HasConversion(Utc);
        e.Property(m => m.NextAttemptAt).HasColumnName("next_attempt_at").HasConversion(Utc);
        e.Property(m => m.DispatchedAt).HasColumnName("dispatched_at").HasConversion(NullableUtc);
        e.Property(m => m.Attempts).HasColumnName("attempts");
        e.Property(m => m.LastError).HasColumnName("last_error").HasMaxLength(ErrorLength);
        e.Property(m => m.LeaseOwner).HasColumnName("lease_owner").HasMaxLength(NameLength);
        e.Property(m => m.LeaseExpiresAt).HasColumnName("lease_expires_at").HasConversion(NullableUtc);
        e.Property(m => m.CheckCount).HasColumnName("check_count");

        e.HasIndex(m => m.MessageId).IsUnique().HasDatabaseName("ux_outbox_messages_message_id");

        // The claim and the next-due lookup walk unsent rows by due time. Dispatched rows leave this
        // index, so it stays as small as the backlog however many rows retention keeps.
        e.HasIndex(m => new { m.Status, m.NextAttemptAt, m.Id }).HasDatabaseName("ix_outbox_messages_unsent_due")
            .HasFilter(StoreDialect.Unsent);

        // Per-key ordering looks for older unsent rows with the same key; only unsent keyed rows are indexed.
        e.HasIndex(m => new { m.MessageKey, m.Id }).HasDatabaseName("ix_outbox_messages_unsent_key")
            .HasFilter($"message_key IS NOT NULL AND {StoreDialect.Unsent}");
    }

    private static void MapDeadLetters(EntityTypeBuilder<DeadLetterRecord> e)
    {
        e.HasKey(d => d.Id).HasName("pk_outbox_dead_letters");
        e.Property(d => d.Id).HasColumnName("id").ValueGeneratedOnAdd();
        e.Property(d => d.MessageId).HasColumnName("message_id");
        e.Property(d => d.Destination).HasColumnName("destination").HasMaxLength(NameLength);
        e.Property(d => d.MessageType).HasColumnName("message_type").HasMaxLength(NameLength);
        e.Property(d => d.MessageKey).HasColumnName("message_key").HasMaxLength(NameLength);
        e.Property(d => d.Payload).HasColumnName("payload");
        e.Property(d => d.Headers).HasColumnName("headers");
        e.Property(d => d.Source).HasColumnName("source").HasMaxLength(NameLength);
        e.Property(d => d.ConsumerName).HasColumnName("consumer_name").HasMaxLength(NameLength);
        e.Property(d => d.Reason).HasColumnName("reason").HasMaxLength(NameLength);
        e.Property(d => d.Attempts).HasColumnName("attempts");
        e.Property(d => d.LastError).HasColumnName("last_error").HasMaxLength(ErrorLength);
        e.Property(d => d.CreatedAt).HasColumnName("created_at").HasConversion(Utc);
        e.Property(d => d.DeadLetteredAt).HasColumnName("dead_lettered_at").HasConversion(Utc);

        e.HasIndex(d => d.MessageId).HasDatabaseName("ix_outbox_dead_letters_message_id");
        e.HasIndex(d => d.DeadLetteredAt).HasDatabaseName("ix_outbox_dead_letters_dead_lettered_at");
    }

    private static void MapInbox(EntityTypeBuilder<InboxRecord> e)
    {
        // The key is the deduplication: one row per message and consumer.
        e.HasKey(i => new { i.MessageId, i.Consumer }).HasName("pk_inbox_messages");
        e.Property(i => i.MessageId).HasColumnName("message_id");
        e.Property(i => i.Consumer).HasColumnName("consumer").HasMaxLength(NameLength);
        e.Property(i => i.ReceivedAt).HasColumnName("received_at").HasConversion(Utc);
        e.HasIndex(i => i.ReceivedAt).HasDatabaseName("ix_inbox_messages_received_at");
    }

    private static void MapSequenceCounters(EntityTypeBuilder<SequenceCounterRecord> e)
    {
        e.HasKey(c => new { c.Destination, c.MessageKey }).HasName("pk_outbox_sequences");
        e.Property(c => c.Destination).HasColumnName("destination").HasMaxLength(NameLength);
        e.Property(c => c.MessageKey).HasColumnName("message_key").HasMaxLength(NameLength);
        e.Property(c => c.LastSequence).HasColumnName("last_sequence");
    }

    private static void MapSequences(EntityTypeBuilder<SequenceRecord> e)
    {
        e.HasKey(q => new { q.Consumer, q.Source, q.MessageKey }).HasName("pk_inbox_sequences");
        e.Property(q => q.Consumer).HasColumnName("consumer").HasMaxLength(NameLength);
        e.Property(q => q.Source).HasColumnName("source").HasMaxLength(NameLength);
        e.Property(q => q.MessageKey).HasColumnName("message_key").HasMaxLength(NameLength);

        // Two instances checking the same key at once: the second one's update finds the number changed,
        // fails, and its delivery is tried again against the first one's.
        e.Property(q => q.LastSequence).HasColumnName("last_sequence").IsConcurrencyToken();
        e.Property(q => q.UpdatedAt).HasColumnName("updated_at").HasConversion(Utc);
    }

    private static void MapSequenceGaps(EntityTypeBuilder<SequenceGapRecord> e)
    {
        e.HasKey(g => g.Id).HasName("pk_inbox_sequence_gaps");
        e.Property(g => g.Id).HasColumnName("id").ValueGeneratedOnAdd();
        e.Property(g => g.Consumer).HasColumnName("consumer").HasMaxLength(NameLength);
        e.Property(g => g.Source).HasColumnName("source").HasMaxLength(NameLength);
        e.Property(g => g.MessageKey).HasColumnName("message_key").HasMaxLength(NameLength);
        e.Property(g => g.FirstMissing).HasColumnName("first_missing");
        e.Property(g => g.LastMissing).HasColumnName("last_missing");
        e.Property(g => g.DetectedAt).HasColumnName("detected_at").HasConversion(Utc);
        e.HasIndex(g => new { g.Consumer, g.Source, g.MessageKey }).HasDatabaseName("ix_inbox_sequence_gaps_key");
    }
}
