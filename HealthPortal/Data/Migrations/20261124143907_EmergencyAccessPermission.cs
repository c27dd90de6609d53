using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <inheritdoc />
    public partial class EmergencyAccessPermission : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "CanBreakGlass",
                table: "AspNetUsers",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CanBreakGlass",
                table: "AspNetUsers");
        }
    }
}
