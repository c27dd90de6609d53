using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Features.Ehr.Hospital.Migrations
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
                name: "admissions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PatientMrn = table.Column<string>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Ward = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    AttendingClinician = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    EnteredBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_admissions", x => x.Id);
                    table.CheckConstraint("CK_admissions_type", "Type IN ('inpatient','outpatient','emergency')");
                    table.ForeignKey(
                        name: "FK_admissions_patients_PatientMrn",
                        column: x => x.PatientMrn,
                        principalTable: "patients",
                        principalColumn: "Mrn",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "clinical_notes",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AdmissionId = table.Column<string>(type: "TEXT", nullable: false),
                    Author = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    WrittenAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_clinical_notes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_clinical_notes_admissions_AdmissionId",
                        column: x => x.AdmissionId,
                        principalTable: "admissions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "diagnoses",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AdmissionId = table.Column<string>(type: "TEXT", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Icd10 = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_diagnoses", x => x.Id);
                    table.ForeignKey(
                        name: "FK_diagnoses_admissions_AdmissionId",
                        column: x => x.AdmissionId,
                        principalTable: "admissions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "prescriptions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AdmissionId = table.Column<string>(type: "TEXT", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Drug = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Dose = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    Route = table.Column<string>(type: "TEXT", maxLength: 30, nullable: false),
                    Frequency = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    DurationDays = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_prescriptions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_prescriptions_admissions_AdmissionId",
                        column: x => x.AdmissionId,
                        principalTable: "admissions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_admissions_PatientMrn",
                table: "admissions",
                column: "PatientMrn");

            migrationBuilder.CreateIndex(
                name: "IX_clinical_notes_AdmissionId",
                table: "clinical_notes",
                column: "AdmissionId");

            migrationBuilder.CreateIndex(
                name: "IX_diagnoses_AdmissionId",
                table: "diagnoses",
                column: "AdmissionId");

            migrationBuilder.CreateIndex(
                name: "IX_patients_Mpi",
                table: "patients",
                column: "Mpi",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_prescriptions_AdmissionId",
                table: "prescriptions",
                column: "AdmissionId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "clinical_notes");

            migrationBuilder.DropTable(
                name: "diagnoses");

            migrationBuilder.DropTable(
                name: "prescriptions");

            migrationBuilder.DropTable(
                name: "admissions");

            migrationBuilder.DropTable(
                name: "patients");
        }
    }
}
