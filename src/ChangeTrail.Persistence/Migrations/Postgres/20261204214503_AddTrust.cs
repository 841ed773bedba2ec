using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChangeTrail.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddTrust : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Replies are now kept per credential and encrypted: the old ones (plain text, per person) are dropped, not
            // converted. They lived a day at most and some held a token's secret in clear.
            migrationBuilder.Sql("DELETE FROM \"IdempotencyRecords\";");

            migrationBuilder.DropPrimaryKey(
                name: "PK_IdempotencyRecords",
                table: "IdempotencyRecords");

            migrationBuilder.DropColumn(
                name: "OwnerId",
                table: "IdempotencyRecords");

            migrationBuilder.RenameColumn(
                name: "Body",
                table: "IdempotencyRecords",
                newName: "ProtectedBody");

            migrationBuilder.AddColumn<string>(
                name: "Credential",
                table: "IdempotencyRecords",
                type: "character varying(80)",
                maxLength: 80,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ReviewCredential",
                table: "ChangeRequests",
                type: "character varying(80)",
                maxLength: 80,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "InvitationExpiresAt",
                table: "AspNetUsers",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "InvitationHash",
                table: "AspNetUsers",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "MustChangePassword",
                table: "AspNetUsers",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Credential",
                table: "Approvals",
                type: "character varying(80)",
                maxLength: 80,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "CreatedWithTokenId",
                table: "ApiTokens",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "PersonallyIssued",
                table: "ApiTokens",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddPrimaryKey(
                name: "PK_IdempotencyRecords",
                table: "IdempotencyRecords",
                columns: new[] { "Credential", "Key" });

            migrationBuilder.CreateTable(
                name: "SignInThrottles",
                columns: table => new
                {
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Client = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Failures = table.Column<int>(type: "integer", nullable: false),
                    WindowStartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LockedUntil = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SignInThrottles", x => new { x.UserId, x.Client });
                });

            migrationBuilder.CreateIndex(
                name: "IX_IdempotencyRecords_CreatedAt",
                table: "IdempotencyRecords",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUsers_InvitationHash",
                table: "AspNetUsers",
                column: "InvitationHash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SignInThrottles");

            migrationBuilder.DropPrimaryKey(
                name: "PK_IdempotencyRecords",
                table: "IdempotencyRecords");

            migrationBuilder.DropIndex(
                name: "IX_IdempotencyRecords_CreatedAt",
                table: "IdempotencyRecords");

            migrationBuilder.DropIndex(
                name: "IX_AspNetUsers_InvitationHash",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "Credential",
                table: "IdempotencyRecords");

            migrationBuilder.DropColumn(
                name: "ReviewCredential",
                table: "ChangeRequests");

            migrationBuilder.DropColumn(
                name: "InvitationExpiresAt",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "InvitationHash",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "MustChangePassword",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "Credential",
                table: "Approvals");

            migrationBuilder.DropColumn(
                name: "CreatedWithTokenId",
                table: "ApiTokens");

            migrationBuilder.DropColumn(
                name: "PersonallyIssued",
                table: "ApiTokens");

            migrationBuilder.RenameColumn(
                name: "ProtectedBody",
                table: "IdempotencyRecords",
                newName: "Body");

            migrationBuilder.AddColumn<Guid>(
                name: "OwnerId",
                table: "IdempotencyRecords",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddPrimaryKey(
                name: "PK_IdempotencyRecords",
                table: "IdempotencyRecords",
                columns: new[] { "OwnerId", "Key" });
        }
    }
}
