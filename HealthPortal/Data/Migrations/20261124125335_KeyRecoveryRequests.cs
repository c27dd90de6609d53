using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <inheritdoc />
    public partial class KeyRecoveryRequests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "KeyRecoveryRequest",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    Mpi = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    NewKeyJwk = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    NewKid = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CodeHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    FailedCodeAttempts = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    FacilityId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    VerifiedByUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    IdentityDocument = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    VerifiedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    Body = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    FacilitySignature = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    DecidedByUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    DecidedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    TransactionId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Height = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_KeyRecoveryRequest", x => x.Id);
                    table.ForeignKey(
                        name: "FK_KeyRecoveryRequest_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_KeyRecoveryRequest_Mpi_Status",
                table: "KeyRecoveryRequest",
                columns: new[] { "Mpi", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_KeyRecoveryRequest_Status",
                table: "KeyRecoveryRequest",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_KeyRecoveryRequest_UserId",
                table: "KeyRecoveryRequest",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "KeyRecoveryRequest");
        }
    }
}
