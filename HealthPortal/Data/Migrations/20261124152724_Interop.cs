using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <inheritdoc />
    public partial class Interop : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BreakGlassSession",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    FacilityId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    FacilityNodeId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    StaffPseudonym = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Mpi = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    StartedAtMs = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BreakGlassSession", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BreakGlassSession_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_BreakGlassSession_Facility_FacilityId",
                        column: x => x.FacilityId,
                        principalTable: "Facility",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "BreakGlassAccess",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SessionId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TxId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AtMs = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BreakGlassAccess", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BreakGlassAccess_BreakGlassSession_SessionId",
                        column: x => x.SessionId,
                        principalTable: "BreakGlassSession",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BreakGlassAccess_SessionId",
                table: "BreakGlassAccess",
                column: "SessionId");

            migrationBuilder.CreateIndex(
                name: "IX_BreakGlassSession_FacilityId",
                table: "BreakGlassSession",
                column: "FacilityId");

            migrationBuilder.CreateIndex(
                name: "IX_BreakGlassSession_FacilityNodeId_StaffPseudonym_Mpi_ExpiresAtMs",
                table: "BreakGlassSession",
                columns: new[] { "FacilityNodeId", "StaffPseudonym", "Mpi", "ExpiresAtMs" });

            migrationBuilder.CreateIndex(
                name: "IX_BreakGlassSession_UserId_Mpi",
                table: "BreakGlassSession",
                columns: new[] { "UserId", "Mpi" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BreakGlassAccess");

            migrationBuilder.DropTable(
                name: "BreakGlassSession");
        }
    }
}
