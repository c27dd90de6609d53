using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <inheritdoc />
    public partial class PatientLedgerRegistration : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "DemographicsSalt",
                table: "PatientProfile",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PendingMpi",
                table: "PatientProfile",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_PatientProfile_PendingMpi",
                table: "PatientProfile",
                column: "PendingMpi",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PatientProfile_PendingMpi",
                table: "PatientProfile");

            migrationBuilder.DropColumn(
                name: "DemographicsSalt",
                table: "PatientProfile");

            migrationBuilder.DropColumn(
                name: "PendingMpi",
                table: "PatientProfile");
        }
    }
}
