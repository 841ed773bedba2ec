using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChangeTrail.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddPolicyExceptions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Waivers",
                table: "GateDecisions",
                type: "TEXT",
                nullable: true,
                // Decisions from before exceptions existed lifted nothing.
                defaultValue: "[]");

            migrationBuilder.AddColumn<string>(
                name: "Exceptions",
                table: "ChangeRequests",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.CreateTable(
                name: "PolicyExceptionNumbers",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AllocatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PolicyExceptionNumbers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PolicyExceptions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<long>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    PolicyClause = table.Column<string>(type: "TEXT", maxLength: 50, nullable: false),
                    Description = table.Column<string>(type: "TEXT", nullable: false),
                    RiskAssessment = table.Column<string>(type: "TEXT", nullable: false),
                    CompensatingControls = table.Column<string>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RequestedById = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    DecidedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    RevokedById = table.Column<Guid>(type: "TEXT", nullable: true),
                    RevokedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    RevocationReason = table.Column<string>(type: "TEXT", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Decisions = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PolicyExceptions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PolicyExceptions_Number",
                table: "PolicyExceptions",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_PolicyExceptions_State_ExpiresAt",
                table: "PolicyExceptions",
                columns: new[] { "State", "ExpiresAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PolicyExceptionNumbers");

            migrationBuilder.DropTable(
                name: "PolicyExceptions");

            migrationBuilder.DropColumn(
                name: "Waivers",
                table: "GateDecisions");

            migrationBuilder.DropColumn(
                name: "Exceptions",
                table: "ChangeRequests");
        }
    }
}
