using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChangeTrail.Persistence.Migrations.Postgres
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
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ReviewDueAt",
                table: "ChangeRequests",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "ReviewFollowUps",
                table: "ChangeRequests",
                type: "text[]",
                nullable: false,
                // Reviews from before follow-ups were kept list none.
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<string>(
                name: "ReviewOutcome",
                table: "ChangeRequests",
                type: "character varying(30)",
                maxLength: 30,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReviewRootCause",
                table: "ChangeRequests",
                type: "text",
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
