using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Features.Ehr.Clinic.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "patients",
                columns: table => new
                {
                    Mrn = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Mpi = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_patients", x => x.Mrn);
                });

            migrationBuilder.CreateTable(
                name: "visits",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PatientMrn = table.Column<string>(type: "TEXT", nullable: false),
                    SeenAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Clinician = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ChiefComplaint = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Findings = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Treatment = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    FollowUpOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    NoteId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    EnteredBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_visits", x => x.Id);
                    table.ForeignKey(
                        name: "FK_visits_patients_PatientMrn",
                        column: x => x.PatientMrn,
                        principalTable: "patients",
                        principalColumn: "Mrn",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "vitals",
                columns: table => new
                {
                    VisitId = table.Column<string>(type: "TEXT", nullable: false),
                    Systolic = table.Column<int>(type: "INTEGER", nullable: true),
                    Diastolic = table.Column<int>(type: "INTEGER", nullable: true),
                    Pulse = table.Column<int>(type: "INTEGER", nullable: true),
                    TemperatureC = table.Column<decimal>(type: "TEXT", precision: 4, scale: 1, nullable: true),
                    WeightKg = table.Column<decimal>(type: "TEXT", precision: 5, scale: 1, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_vitals", x => x.VisitId);
                    table.ForeignKey(
                        name: "FK_vitals_visits_VisitId",
                        column: x => x.VisitId,
                        principalTable: "visits",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_patients_Mpi",
                table: "patients",
                column: "Mpi",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_visits_NoteId",
                table: "visits",
                column: "NoteId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_visits_PatientMrn",
                table: "visits",
                column: "PatientMrn");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "vitals");

            migrationBuilder.DropTable(
                name: "visits");

            migrationBuilder.DropTable(
                name: "patients");
        }
    }
}
