using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderPayment.Payments.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class SequenceNumbers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "outbox_sequences",
                columns: table => new
                {
                    destination = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    message_key = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    last_sequence = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_sequences", x => new { x.destination, x.message_key });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "outbox_sequences");
        }
    }
}
