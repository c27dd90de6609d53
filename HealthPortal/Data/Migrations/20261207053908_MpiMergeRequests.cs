using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <inheritdoc />
    public partial class MpiMergeRequests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MpiMergeRequest",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ItemId = table.Column<int>(type: "INTEGER", nullable: false),
                    FacilityId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    RetiredMpi = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    SurvivingMpi = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Words = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    StewardId = table.Column<string>(type: "TEXT", nullable: false),
                    StewardName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    DecidedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    TxId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    RepointedEntries = table.Column<string>(type: "TEXT", nullable: false),
                    SplitReason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    SplitWords = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    SplitBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    SplitAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    SplitTxId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MpiMergeRequest", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MpiMergeRequest_FacilityId",
                table: "MpiMergeRequest",
                column: "FacilityId");

            migrationBuilder.CreateIndex(
                name: "IX_MpiMergeRequest_SurvivingMpi",
                table: "MpiMergeRequest",
                column: "SurvivingMpi");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MpiMergeRequest");
        }
    }
}
