using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Features.Ehr.Laboratory.Migrations
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
                name: "orders",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PatientMrn = table.Column<string>(type: "TEXT", nullable: false),
                    OrderingClinician = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SpecimenType = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    CollectedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ReportedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    EnteredBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ReportedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_orders", x => x.Id);
                    table.ForeignKey(
                        name: "FK_orders_patients_PatientMrn",
                        column: x => x.PatientMrn,
                        principalTable: "patients",
                        principalColumn: "Mrn",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "results",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    OrderId = table.Column<string>(type: "TEXT", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Loinc = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Unit = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    ReferenceLow = table.Column<decimal>(type: "TEXT", nullable: true),
                    ReferenceHigh = table.Column<decimal>(type: "TEXT", nullable: true),
                    Value = table.Column<decimal>(type: "TEXT", nullable: true),
                    Flag = table.Column<string>(type: "TEXT", maxLength: 1, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_results", x => x.Id);
                    table.CheckConstraint("CK_results_flag", "Flag IS NULL OR Flag IN ('L','N','H')");
                    table.ForeignKey(
                        name: "FK_results_orders_OrderId",
                        column: x => x.OrderId,
                        principalTable: "orders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_orders_PatientMrn",
                table: "orders",
                column: "PatientMrn");

            migrationBuilder.CreateIndex(
                name: "IX_patients_Mpi",
                table: "patients",
                column: "Mpi",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_results_OrderId_Loinc",
                table: "results",
                columns: new[] { "OrderId", "Loinc" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "results");

            migrationBuilder.DropTable(
                name: "orders");

            migrationBuilder.DropTable(
                name: "patients");
        }
    }
}
