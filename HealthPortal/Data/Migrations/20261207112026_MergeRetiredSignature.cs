using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HealthPortal.Data.Migrations
{
    /// <inheritdoc />
    public partial class MergeRetiredSignature : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "KeysCarried",
                table: "MpiMergeRequest",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "RetiredBody",
                table: "MpiMergeRequest",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RetiredKid",
                table: "MpiMergeRequest",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RetiredSignature",
                table: "MpiMergeRequest",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RetiredSignedAt",
                table: "MpiMergeRequest",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "KeysCarried",
                table: "MpiMergeRequest");

            migrationBuilder.DropColumn(
                name: "RetiredBody",
                table: "MpiMergeRequest");

            migrationBuilder.DropColumn(
                name: "RetiredKid",
                table: "MpiMergeRequest");

            migrationBuilder.DropColumn(
                name: "RetiredSignature",
                table: "MpiMergeRequest");

            migrationBuilder.DropColumn(
                name: "RetiredSignedAt",
                table: "MpiMergeRequest");
        }
    }
}
