using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <summary>
    /// Issue 13, MPI workflows: facilities' own registers (MRN, demographics, linked MPI number), the stewards' review
    /// queue of MPI number pairs and its audited decisions, retired (merged) numbers and the staff named stewards.
    /// All stays in this node's database; nothing of it goes to the ledger.
    /// </summary>
    public partial class MpiStewardQueue : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MpiDecision",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ItemId = table.Column<int>(type: "INTEGER", nullable: false),
                    Decision = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SurvivingMpi = table.Column<string>(type: "TEXT", nullable: true),
                    RetiredMpi = table.Column<string>(type: "TEXT", nullable: true),
                    StewardId = table.Column<string>(type: "TEXT", nullable: false),
                    StewardName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    FacilityId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    DecidedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MpiDecision", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MpiRegister",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FacilityId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Mrn = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    FullName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    BurmeseName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    BirthDate = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    Sex = table.Column<int>(type: "INTEGER", nullable: true),
                    Nrc = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Phone = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Township = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    FatherName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Mpi = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MpiRegister", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MpiRetiredNumber",
                columns: table => new
                {
                    RetiredMpi = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    SurvivingMpi = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    DecisionId = table.Column<int>(type: "INTEGER", nullable: false),
                    RetiredAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MpiRetiredNumber", x => x.RetiredMpi);
                });

            migrationBuilder.CreateTable(
                name: "MpiReviewItem",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FacilityId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    LeftMpi = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    RightMpi = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Score = table.Column<double>(type: "REAL", nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MpiReviewItem", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MpiSteward",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "TEXT", nullable: false),
                    FacilityId = table.Column<string>(type: "TEXT", nullable: false),
                    GrantedBy = table.Column<string>(type: "TEXT", nullable: false),
                    GrantedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MpiSteward", x => new { x.UserId, x.FacilityId });
                    table.ForeignKey(
                        name: "FK_MpiSteward_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MpiDecision_ItemId",
                table: "MpiDecision",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_MpiRegister_FacilityId_Mrn",
                table: "MpiRegister",
                columns: new[] { "FacilityId", "Mrn" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MpiRegister_Mpi",
                table: "MpiRegister",
                column: "Mpi");

            migrationBuilder.CreateIndex(
                name: "IX_MpiReviewItem_LeftMpi_RightMpi",
                table: "MpiReviewItem",
                columns: new[] { "LeftMpi", "RightMpi" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MpiReviewItem_Status_FacilityId",
                table: "MpiReviewItem",
                columns: new[] { "Status", "FacilityId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MpiDecision");

            migrationBuilder.DropTable(
                name: "MpiRegister");

            migrationBuilder.DropTable(
                name: "MpiRetiredNumber");

            migrationBuilder.DropTable(
                name: "MpiReviewItem");

            migrationBuilder.DropTable(
                name: "MpiSteward");
        }
    }
}
