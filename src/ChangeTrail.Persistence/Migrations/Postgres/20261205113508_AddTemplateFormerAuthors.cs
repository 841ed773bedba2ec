using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ChangeTrail.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddTemplateFormerAuthors : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<Guid>>(
                name: "FormerAuthors",
                table: "ChangeTemplates",
                type: "uuid[]",
                nullable: false,
                // Templates from before hand-overs have had one author.
                defaultValueSql: "'{}'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FormerAuthors",
                table: "ChangeTemplates");
        }
    }
}
