using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChangeTrail.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddPipeline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "PipelineId",
                table: "ChangeRequests",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "VerificationEvidenceId",
                table: "ChangeRequests",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Deployments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ChangeRequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ServiceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Environment = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Production = table.Column<bool>(type: "INTEGER", nullable: false),
                    Commit = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CommitKey = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    Artifact = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    GateDecisionId = table.Column<Guid>(type: "TEXT", nullable: true),
                    PipelineUrl = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    ExitCode = table.Column<int>(type: "INTEGER", nullable: true),
                    DeployedById = table.Column<Guid>(type: "TEXT", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Deployments", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Evidence",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ChangeRequestId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Commit = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CommitKey = table.Column<string>(type: "TEXT", maxLength: 7, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Environment = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Format = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    SizeBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    Tool = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Passed = table.Column<int>(type: "INTEGER", nullable: false),
                    Failed = table.Column<int>(type: "INTEGER", nullable: false),
                    Skipped = table.Column<int>(type: "INTEGER", nullable: false),
                    ErrorFindings = table.Column<int>(type: "INTEGER", nullable: false),
                    WarningFindings = table.Column<int>(type: "INTEGER", nullable: false),
                    NoteFindings = table.Column<int>(type: "INTEGER", nullable: false),
                    Passes = table.Column<bool>(type: "INTEGER", nullable: false),
                    UploadedById = table.Column<Guid>(type: "TEXT", nullable: false),
                    UploadedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Findings = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Evidence", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "GateDecisions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ChangeRequestId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ChangeReference = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    ServiceId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Service = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Environment = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Production = table.Column<bool>(type: "INTEGER", nullable: false),
                    Commit = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Artifact = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Allowed = table.Column<bool>(type: "INTEGER", nullable: false),
                    AskedById = table.Column<Guid>(type: "TEXT", nullable: false),
                    Credential = table.Column<string>(type: "TEXT", maxLength: 80, nullable: true),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Reasons = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_GateDecisions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Deployments_ChangeRequestId",
                table: "Deployments",
                column: "ChangeRequestId");

            migrationBuilder.CreateIndex(
                name: "IX_Deployments_ServiceId_CommitKey",
                table: "Deployments",
                columns: new[] { "ServiceId", "CommitKey" });

            migrationBuilder.CreateIndex(
                name: "IX_Deployments_ServiceId_StartedAt",
                table: "Deployments",
                columns: new[] { "ServiceId", "StartedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Evidence_ChangeRequestId",
                table: "Evidence",
                column: "ChangeRequestId");

            migrationBuilder.CreateIndex(
                name: "IX_Evidence_CommitKey",
                table: "Evidence",
                column: "CommitKey");

            migrationBuilder.CreateIndex(
                name: "IX_GateDecisions_ChangeRequestId_At",
                table: "GateDecisions",
                columns: new[] { "ChangeRequestId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Deployments");

            migrationBuilder.DropTable(
                name: "Evidence");

            migrationBuilder.DropTable(
                name: "GateDecisions");

            migrationBuilder.DropColumn(
                name: "PipelineId",
                table: "ChangeRequests");

            migrationBuilder.DropColumn(
                name: "VerificationEvidenceId",
                table: "ChangeRequests");
        }
    }
}
