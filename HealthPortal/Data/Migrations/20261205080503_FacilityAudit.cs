using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <inheritdoc />
    public partial class FacilityAudit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "FacilityAudit",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    FacilityId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    StaffPseudonym = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Mpi = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    AtMs = table.Column<long>(type: "INTEGER", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Target = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    Nonce = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Status = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FacilityAudit", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_FacilityAudit_FacilityId_AtMs",
                table: "FacilityAudit",
                columns: new[] { "FacilityId", "AtMs" });

            migrationBuilder.CreateIndex(
                name: "IX_FacilityAudit_Mpi_Kind_AtMs",
                table: "FacilityAudit",
                columns: new[] { "Mpi", "Kind", "AtMs" });

            migrationBuilder.CreateIndex(
                name: "IX_FacilityAudit_StaffPseudonym_Nonce",
                table: "FacilityAudit",
                columns: new[] { "StaffPseudonym", "Nonce" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FacilityAudit");
        }
    }
}
