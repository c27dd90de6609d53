using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <inheritdoc />
    public partial class IdentityChecks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PatientProfile_NationalId",
                table: "PatientProfile");

            migrationBuilder.CreateTable(
                name: "IdentityCheck",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    OtherUserId = table.Column<string>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IdentityCheck", x => x.Id);
                    table.ForeignKey(
                        name: "FK_IdentityCheck_AspNetUsers_OtherUserId",
                        column: x => x.OtherUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_IdentityCheck_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PatientProfile_NationalId",
                table: "PatientProfile",
                column: "NationalId");

            migrationBuilder.CreateIndex(
                name: "IX_IdentityCheck_OtherUserId",
                table: "IdentityCheck",
                column: "OtherUserId");

            migrationBuilder.CreateIndex(
                name: "IX_IdentityCheck_UserId_OtherUserId_Reason",
                table: "IdentityCheck",
                columns: new[] { "UserId", "OtherUserId", "Reason" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "IdentityCheck");

            migrationBuilder.DropIndex(
                name: "IX_PatientProfile_NationalId",
                table: "PatientProfile");

            migrationBuilder.CreateIndex(
                name: "IX_PatientProfile_NationalId",
                table: "PatientProfile",
                column: "NationalId",
                unique: true);
        }
    }
}
