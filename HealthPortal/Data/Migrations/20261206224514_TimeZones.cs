using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <inheritdoc />
    public partial class TimeZones : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "TimeZone",
                table: "PatientProfile",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "Asia/Yangon");

            migrationBuilder.AddColumn<string>(
                name: "TimeZone",
                table: "Facility",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "Asia/Yangon");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "TimeZone",
                table: "PatientProfile");

            migrationBuilder.DropColumn(
                name: "TimeZone",
                table: "Facility");
        }
    }
}
