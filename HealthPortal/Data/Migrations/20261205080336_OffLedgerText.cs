using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <inheritdoc />
    public partial class OffLedgerText : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DecisionNote",
                table: "Facility",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DecisionNoteSalt",
                table: "Facility",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReasonCode",
                table: "BreakGlassSession",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "other");

            migrationBuilder.AddColumn<string>(
                name: "ReasonSalt",
                table: "BreakGlassSession",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "GrantPurposeNote",
                columns: table => new
                {
                    GrantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Salt = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GrantPurposeNote", x => x.GrantId);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "GrantPurposeNote");

            migrationBuilder.DropColumn(
                name: "DecisionNote",
                table: "Facility");

            migrationBuilder.DropColumn(
                name: "DecisionNoteSalt",
                table: "Facility");

            migrationBuilder.DropColumn(
                name: "ReasonCode",
                table: "BreakGlassSession");

            migrationBuilder.DropColumn(
                name: "ReasonSalt",
                table: "BreakGlassSession");
        }
    }
}
