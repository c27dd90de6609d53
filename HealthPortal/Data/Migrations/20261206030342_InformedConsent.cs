using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <summary>
    /// Issue 16, informed co-signing: each record of a save keeps the FHIR JSON it was hashed from (what the patient
    /// reads before signing) and the patient's own decision on it (a dispute code and optional words, never on the
    /// ledger); a save can be withdrawn by the facility and the patient reminded.
    /// </summary>
    public partial class InformedConsent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Decision",
                table: "AnchorConfirmationRecord",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                // Rows of earlier saves were never disputed record by record.
                defaultValue: "Open");

            migrationBuilder.AddColumn<string>(
                name: "FhirJson",
                table: "AnchorConfirmationRecord",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RejectCode",
                table: "AnchorConfirmationRecord",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RejectWords",
                table: "AnchorConfirmationRecord",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RejectedAt",
                table: "AnchorConfirmationRecord",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RemindedAt",
                table: "AnchorConfirmation",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "WithdrawnAt",
                table: "AnchorConfirmation",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Decision",
                table: "AnchorConfirmationRecord");

            migrationBuilder.DropColumn(
                name: "FhirJson",
                table: "AnchorConfirmationRecord");

            migrationBuilder.DropColumn(
                name: "RejectCode",
                table: "AnchorConfirmationRecord");

            migrationBuilder.DropColumn(
                name: "RejectWords",
                table: "AnchorConfirmationRecord");

            migrationBuilder.DropColumn(
                name: "RejectedAt",
                table: "AnchorConfirmationRecord");

            migrationBuilder.DropColumn(
                name: "RemindedAt",
                table: "AnchorConfirmation");

            migrationBuilder.DropColumn(
                name: "WithdrawnAt",
                table: "AnchorConfirmation");
        }
    }
}
