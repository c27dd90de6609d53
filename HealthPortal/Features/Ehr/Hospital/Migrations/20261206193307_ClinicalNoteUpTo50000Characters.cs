using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Features.Ehr.Hospital.Migrations
{
    /// <summary>
    /// Clinical notes up to 50,000 characters (was 8,000). SQLite stores TEXT without a length, so no table changes:
    /// the migration only moves the model snapshot, and the limit itself is enforced by HospitalRecords.
    /// </summary>
    public partial class ClinicalNoteUpTo50000Characters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
