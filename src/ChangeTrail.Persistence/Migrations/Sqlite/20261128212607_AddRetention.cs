using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChangeTrail.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddRetention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "Record",
                table: "LedgerEntry",
                type: "TEXT",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "TEXT");

            migrationBuilder.AddColumn<DateTime>(
                name: "LegalHoldPlacedAt",
                table: "ChangeRequests",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "LegalHoldPlacedById",
                table: "ChangeRequests",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LegalHoldReason",
                table: "ChangeRequests",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "RetentionSettings",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Months = table.Column<int>(type: "INTEGER", nullable: false),
                    ChangedById = table.Column<Guid>(type: "TEXT", nullable: false),
                    ChangedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RetentionSettings", x => x.Id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RetentionSettings");

            migrationBuilder.DropColumn(
                name: "LegalHoldPlacedAt",
                table: "ChangeRequests");

            migrationBuilder.DropColumn(
                name: "LegalHoldPlacedById",
                table: "ChangeRequests");

            migrationBuilder.DropColumn(
                name: "LegalHoldReason",
                table: "ChangeRequests");

            migrationBuilder.AlterColumn<string>(
                name: "Record",
                table: "LedgerEntry",
                type: "TEXT",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "TEXT",
                oldNullable: true);
        }
    }
}
