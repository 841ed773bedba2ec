using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChangeTrail.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddChangeTemplates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "TemplateId",
                table: "ChangeRequests",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ChangeTemplates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "text", nullable: true),
                    Services = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    Environments = table.Column<List<string>>(type: "text[]", nullable: false),
                    Purpose = table.Column<string>(type: "text", nullable: true),
                    Scope = table.Column<string>(type: "text", nullable: true),
                    ImpactAnalysis = table.Column<string>(type: "text", nullable: true),
                    RollbackPlan = table.Column<string>(type: "text", nullable: true),
                    TestPlan = table.Column<string>(type: "text", nullable: true),
                    RiskAnswers = table.Column<string>(type: "text", nullable: false),
                    AuthorId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    State = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Round = table.Column<int>(type: "integer", nullable: false),
                    RequiredApprovals = table.Column<string[]>(type: "text[]", nullable: false),
                    SubmittedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ApprovedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    RetiredById = table.Column<Guid>(type: "uuid", nullable: true),
                    RetiredAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    RetirementReason = table.Column<string>(type: "text", nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Decisions = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChangeTemplates", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChangeRequests_TemplateId",
                table: "ChangeRequests",
                column: "TemplateId");

            migrationBuilder.CreateIndex(
                name: "IX_ChangeTemplates_Name",
                table: "ChangeTemplates",
                column: "Name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ChangeTemplates");

            migrationBuilder.DropIndex(
                name: "IX_ChangeRequests_TemplateId",
                table: "ChangeRequests");

            migrationBuilder.DropColumn(
                name: "TemplateId",
                table: "ChangeRequests");
        }
    }
}
