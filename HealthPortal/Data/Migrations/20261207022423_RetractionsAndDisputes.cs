using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <inheritdoc />
    public partial class RetractionsAndDisputes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MpiDispute",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Mpi = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    FacilityId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Target = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Mrn = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    RecordId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    Words = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Answer = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    StewardId = table.Column<string>(type: "TEXT", nullable: true),
                    StewardName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    AnsweredAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MpiDispute", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RecordRetraction",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FacilityId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    NodeId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RecordId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Mpi = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Words = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    StaffId = table.Column<string>(type: "TEXT", nullable: false),
                    StaffName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    TxId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RetractedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    RefiledMpi = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    RefiledConfirmationId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    RefiledAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RecordRetraction", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MpiDispute_FacilityId_Status",
                table: "MpiDispute",
                columns: new[] { "FacilityId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_MpiDispute_Mpi",
                table: "MpiDispute",
                column: "Mpi");

            migrationBuilder.CreateIndex(
                name: "IX_RecordRetraction_FacilityId_Mpi",
                table: "RecordRetraction",
                columns: new[] { "FacilityId", "Mpi" });

            migrationBuilder.CreateIndex(
                name: "IX_RecordRetraction_NodeId_RecordId",
                table: "RecordRetraction",
                columns: new[] { "NodeId", "RecordId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MpiDispute");

            migrationBuilder.DropTable(
                name: "RecordRetraction");
        }
    }
}
