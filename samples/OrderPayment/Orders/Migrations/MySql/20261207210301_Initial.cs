using System;
using Microsoft.EntityFrameworkCore.Migrations;
using MySql.EntityFrameworkCore.Metadata;

#nullable disable

namespace OrderPayment.Orders.Migrations.MySql
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("MySQL:Charset", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "inbox_messages",
                columns: table => new
                {
                    message_id = table.Column<Guid>(type: "char(36)", nullable: false),
                    consumer = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                    received_at = table.Column<DateTime>(type: "datetime(6)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inbox_messages", x => new { x.message_id, x.consumer });
                })
                .Annotation("MySQL:Charset", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "inbox_sequence_gaps",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("MySQL:ValueGenerationStrategy", MySQLValueGenerationStrategy.IdentityColumn),
                    consumer = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                    source = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                    message_key = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                    first_missing = table.Column<long>(type: "bigint", nullable: false),
                    last_missing = table.Column<long>(type: "bigint", nullable: false),
                    detected_at = table.Column<DateTime>(type: "datetime(6)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inbox_sequence_gaps", x => x.id);
                })
                .Annotation("MySQL:Charset", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "inbox_sequences",
                columns: table => new
                {
                    consumer = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                    source = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                    message_key = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                    last_sequence = table.Column<long>(type: "bigint", nullable: false),
                    updated_at = table.Column<DateTime>(type: "datetime(6)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inbox_sequences", x => new { x.consumer, x.source, x.message_key });
                })
                .Annotation("MySQL:Charset", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "Orders",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "char(36)", nullable: false),
                    Customer = table.Column<string>(type: "longtext", nullable: false),
                    Amount = table.Column<decimal>(type: "decimal(18,2)", nullable: false),
                    Status = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Orders", x => x.Id);
                })
                .Annotation("MySQL:Charset", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "outbox_dead_letters",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("MySQL:ValueGenerationStrategy", MySQLValueGenerationStrategy.IdentityColumn),
                    message_id = table.Column<Guid>(type: "char(36)", nullable: false),
                    destination = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                    message_type = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                    message_key = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: true),
                    payload = table.Column<byte[]>(type: "longblob", nullable: false),
                    headers = table.Column<string>(type: "longtext", nullable: true),
                    source = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                    consumer_name = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: true),
                    reason = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                    attempts = table.Column<int>(type: "int", nullable: false),
                    last_error = table.Column<string>(type: "varchar(2000)", maxLength: 2000, nullable: true),
                    created_at = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                    dead_lettered_at = table.Column<DateTime>(type: "datetime(6)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_dead_letters", x => x.id);
                })
                .Annotation("MySQL:Charset", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("MySQL:ValueGenerationStrategy", MySQLValueGenerationStrategy.IdentityColumn),
                    message_id = table.Column<Guid>(type: "char(36)", nullable: false),
                    destination = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                    message_type = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                    message_key = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: true),
                    payload = table.Column<byte[]>(type: "longblob", nullable: false),
                    headers = table.Column<string>(type: "longtext", nullable: true),
                    status = table.Column<int>(type: "int", nullable: false),
                    kind = table.Column<int>(type: "int", nullable: false),
                    created_at = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                    due_at = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                    next_attempt_at = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                    dispatched_at = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                    attempts = table.Column<int>(type: "int", nullable: false),
                    last_error = table.Column<string>(type: "varchar(2000)", maxLength: 2000, nullable: true),
                    lease_owner = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: true),
                    lease_expires_at = table.Column<DateTime>(type: "datetime(6)", nullable: true),
                    check_count = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.id);
                })
                .Annotation("MySQL:Charset", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "outbox_sequences",
                columns: table => new
                {
                    destination = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                    message_key = table.Column<string>(type: "varchar(256)", maxLength: 256, nullable: false),
                    last_sequence = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_sequences", x => new { x.destination, x.message_key });
                })
                .Annotation("MySQL:Charset", "utf8mb4");

            migrationBuilder.CreateTable(
                name: "OrderEvents",
                columns: table => new
                {
                    Id = table.Column<int>(type: "int", nullable: false)
                        .Annotation("MySQL:ValueGenerationStrategy", MySQLValueGenerationStrategy.IdentityColumn),
                    OrderId = table.Column<Guid>(type: "char(36)", nullable: false),
                    At = table.Column<DateTime>(type: "datetime(6)", nullable: false),
                    What = table.Column<string>(type: "longtext", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrderEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OrderEvents_Orders_OrderId",
                        column: x => x.OrderId,
                        principalTable: "Orders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                })
                .Annotation("MySQL:Charset", "utf8mb4");

            migrationBuilder.CreateIndex(
                name: "ix_inbox_messages_received_at",
                table: "inbox_messages",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ix_inbox_sequence_gaps_key",
                table: "inbox_sequence_gaps",
                columns: new[] { "consumer", "source", "message_key" });

            migrationBuilder.CreateIndex(
                name: "IX_OrderEvents_OrderId",
                table: "OrderEvents",
                column: "OrderId");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_dead_letters_dead_lettered_at",
                table: "outbox_dead_letters",
                column: "dead_lettered_at");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_dead_letters_message_id",
                table: "outbox_dead_letters",
                column: "message_id");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_unsent_due",
                table: "outbox_messages",
                columns: new[] { "status", "next_attempt_at", "id" },
                filter: "status < 2");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_unsent_key",
                table: "outbox_messages",
                columns: new[] { "message_key", "id" },
                filter: "message_key IS NOT NULL AND status < 2");

            migrationBuilder.CreateIndex(
                name: "ux_outbox_messages_message_id",
                table: "outbox_messages",
                column: "message_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "inbox_messages");

            migrationBuilder.DropTable(
                name: "inbox_sequence_gaps");

            migrationBuilder.DropTable(
                name: "inbox_sequences");

            migrationBuilder.DropTable(
                name: "OrderEvents");

            migrationBuilder.DropTable(
                name: "outbox_dead_letters");

            migrationBuilder.DropTable(
                name: "outbox_messages");

            migrationBuilder.DropTable(
                name: "outbox_sequences");

            migrationBuilder.DropTable(
                name: "Orders");
        }
    }
}
