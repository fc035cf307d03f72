using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderPayment.Orders.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SequenceCheck : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "inbox_sequence_gaps",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    consumer = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    message_key = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    first_missing = table.Column<long>(type: "INTEGER", nullable: false),
                    last_missing = table.Column<long>(type: "INTEGER", nullable: false),
                    detected_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inbox_sequence_gaps", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "inbox_sequences",
                columns: table => new
                {
                    consumer = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    source = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    message_key = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    last_sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inbox_sequences", x => new { x.consumer, x.source, x.message_key });
                });

            migrationBuilder.CreateIndex(
                name: "ix_inbox_sequence_gaps_key",
                table: "inbox_sequence_gaps",
                columns: new[] { "consumer", "source", "message_key" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "inbox_sequence_gaps");

            migrationBuilder.DropTable(
                name: "inbox_sequences");
        }
    }
}
