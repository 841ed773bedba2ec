using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChangeTrail.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddLedgerCheckpoints : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "LedgerCheckpoint",
                columns: table => new
                {
                    TreeSize = table.Column<long>(type: "INTEGER", nullable: false),
                    RootHash = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    Note = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LedgerCheckpoint", x => x.TreeSize);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "LedgerCheckpoint");
        }
    }
}
