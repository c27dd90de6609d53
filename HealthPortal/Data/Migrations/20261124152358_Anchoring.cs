using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <inheritdoc />
    public partial class Anchoring : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AnchorConfirmation",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    FacilityId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Mpi = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    StaffUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Problem = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    RejectReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    RejectedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    AnchoredAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    BlockHeight = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AnchorConfirmation", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AnchorConfirmation_Facility_FacilityId",
                        column: x => x.FacilityId,
                        principalTable: "Facility",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "AnchorConfirmationRecord",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ConfirmationId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    RecordId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Date = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Summary = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TransactionJson = table.Column<string>(type: "TEXT", nullable: false),
                    TransactionId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    BlockHeight = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AnchorConfirmationRecord", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AnchorConfirmationRecord_AnchorConfirmation_ConfirmationId",
                        column: x => x.ConfirmationId,
                        principalTable: "AnchorConfirmation",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AnchorConfirmation_FacilityId_Status",
                table: "AnchorConfirmation",
                columns: new[] { "FacilityId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_AnchorConfirmation_Mpi_Status",
                table: "AnchorConfirmation",
                columns: new[] { "Mpi", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_AnchorConfirmationRecord_ConfirmationId",
                table: "AnchorConfirmationRecord",
                column: "ConfirmationId");

            migrationBuilder.CreateIndex(
                name: "IX_AnchorConfirmationRecord_RecordId",
                table: "AnchorConfirmationRecord",
                column: "RecordId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AnchorConfirmationRecord");

            migrationBuilder.DropTable(
                name: "AnchorConfirmation");
        }
    }
}
