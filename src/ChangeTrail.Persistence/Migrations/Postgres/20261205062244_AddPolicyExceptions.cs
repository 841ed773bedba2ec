using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ChangeTrail.Persistence.Migrations.Postgres
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
                type: "jsonb",
                nullable: true,
                // Decisions from before exceptions existed lifted nothing.
                defaultValueSql: "'[]'");

            migrationBuilder.AddColumn<List<Guid>>(
                name: "Exceptions",
                table: "ChangeRequests",
                type: "uuid[]",
                nullable: false,
                // Changes from before exceptions existed cite none.
                defaultValueSql: "'{}'");

            migrationBuilder.CreateTable(
                name: "PolicyExceptionNumbers",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    AllocatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PolicyExceptionNumbers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "PolicyExceptions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<long>(type: "bigint", nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    PolicyClause = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    Description = table.Column<string>(type: "text", nullable: false),
                    RiskAssessment = table.Column<string>(type: "text", nullable: false),
                    CompensatingControls = table.Column<string>(type: "text", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RequestedById = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    State = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    DecidedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    RevokedById = table.Column<Guid>(type: "uuid", nullable: true),
                    RevokedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    RevocationReason = table.Column<string>(type: "text", nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Decisions = table.Column<string>(type: "jsonb", nullable: true)
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
