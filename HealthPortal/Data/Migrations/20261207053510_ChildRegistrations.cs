using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <inheritdoc />
    public partial class ChildRegistrations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ChildRegistration",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    GuardianUserId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ChildUserId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    FacilityId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    DocumentsCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    AttestedByUserId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    AttestedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    DelegationId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    TakenOverAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChildRegistration", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChildRegistration_ChildUserId",
                table: "ChildRegistration",
                column: "ChildUserId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ChildRegistration_GuardianUserId",
                table: "ChildRegistration",
                column: "GuardianUserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ChildRegistration");
        }
    }
}
