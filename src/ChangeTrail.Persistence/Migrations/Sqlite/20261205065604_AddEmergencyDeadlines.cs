using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChangeTrail.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddEmergencyDeadlines : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "DocumentedAt",
                table: "ChangeRequests",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ReviewDueAt",
                table: "ChangeRequests",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReviewFollowUps",
                table: "ChangeRequests",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "ReviewOutcome",
                table: "ChangeRequests",
                type: "TEXT",
                maxLength: 30,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReviewRootCause",
                table: "ChangeRequests",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DocumentedAt",
                table: "ChangeRequests");

            migrationBuilder.DropColumn(
                name: "ReviewDueAt",
                table: "ChangeRequests");

            migrationBuilder.DropColumn(
                name: "ReviewFollowUps",
                table: "ChangeRequests");

            migrationBuilder.DropColumn(
                name: "ReviewOutcome",
                table: "ChangeRequests");

            migrationBuilder.DropColumn(
                name: "ReviewRootCause",
                table: "ChangeRequests");
        }
    }
}
