using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChangeTrail.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddLedgerTree : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "LedgerTree",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LedgerTree", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "LedgerTree",
                columns: new[] { "Id", "Size" },
                values: new object[] { 1, 0L });

            // Logs written before this migration stored every node as they grew: their tree reaches the head.
            // Leaves are no longer stored as nodes; their hashes are the entries' leaf hashes.
            migrationBuilder.Sql("""UPDATE "LedgerTree" SET "Size" = (SELECT "Size" FROM "LedgerHead" WHERE "Id" = 1) WHERE "Id" = 1;""");
            migrationBuilder.Sql("""DELETE FROM "LedgerNode" WHERE "Level" = 0;""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""INSERT INTO "LedgerNode" ("Level", "Index", "Hash") SELECT 0, "Index", "LeafHash" FROM "LedgerEntry";""");
            migrationBuilder.DropTable(
                name: "LedgerTree");
        }
    }
}
