using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChangeTrail.Persistence.Migrations.Postgres
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
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "VerificationEvidenceId",
                table: "ChangeRequests",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Deployments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ChangeRequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    ServiceId = table.Column<Guid>(type: "uuid", nullable: false),
                    Environment = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Production = table.Column<bool>(type: "boolean", nullable: false),
                    Commit = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CommitKey = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: false),
                    Artifact = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Status = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    GateDecisionId = table.Column<Guid>(type: "uuid", nullable: true),
                    PipelineUrl = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    ExitCode = table.Column<int>(type: "integer", nullable: true),
                    DeployedById = table.Column<Guid>(type: "uuid", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Deployments", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Evidence",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ChangeRequestId = table.Column<Guid>(type: "uuid", nullable: true),
                    Commit = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CommitKey = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Environment = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Format = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    FileName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    SizeBytes = table.Column<long>(type: "bigint", nullable: false),
                    Tool = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Passed = table.Column<int>(type: "integer", nullable: false),
                    Failed = table.Column<int>(type: "integer", nullable: false),
                    Skipped = table.Column<int>(type: "integer", nullable: false),
                    ErrorFindings = table.Column<int>(type: "integer", nullable: false),
                    WarningFindings = table.Column<int>(type: "integer", nullable: false),
                    NoteFindings = table.Column<int>(type: "integer", nullable: false),
                    Passes = table.Column<bool>(type: "boolean", nullable: false),
                    UploadedById = table.Column<Guid>(type: "uuid", nullable: false),
                    UploadedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Findings = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Evidence", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "GateDecisions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ChangeRequestId = table.Column<Guid>(type: "uuid", nullable: true),
                    ChangeReference = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    ServiceId = table.Column<Guid>(type: "uuid", nullable: true),
                    Service = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Environment = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Production = table.Column<bool>(type: "boolean", nullable: false),
                    Commit = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Artifact = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Allowed = table.Column<bool>(type: "boolean", nullable: false),
                    AskedById = table.Column<Guid>(type: "uuid", nullable: false),
                    Credential = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: true),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Reasons = table.Column<string>(type: "jsonb", nullable: true)
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
