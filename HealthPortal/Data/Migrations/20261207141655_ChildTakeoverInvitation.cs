using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <inheritdoc />
    public partial class ChildTakeoverInvitation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "TakeoverAccountAt",
                table: "ChildRegistration",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "TakeoverLinkExpiresAt",
                table: "ChildRegistration",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TakeoverLinkMadeByUserId",
                table: "ChildRegistration",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TakeoverTokenHash",
                table: "ChildRegistration",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_ChildRegistration_TakeoverTokenHash",
                table: "ChildRegistration",
                column: "TakeoverTokenHash");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ChildRegistration_TakeoverTokenHash",
                table: "ChildRegistration");

            migrationBuilder.DropColumn(
                name: "TakeoverAccountAt",
                table: "ChildRegistration");

            migrationBuilder.DropColumn(
                name: "TakeoverLinkExpiresAt",
                table: "ChildRegistration");

            migrationBuilder.DropColumn(
                name: "TakeoverLinkMadeByUserId",
                table: "ChildRegistration");

            migrationBuilder.DropColumn(
                name: "TakeoverTokenHash",
                table: "ChildRegistration");
        }
    }
}
