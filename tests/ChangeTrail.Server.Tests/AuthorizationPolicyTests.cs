using ChangeTrail.Domain.Identity;
using Shouldly;

namespace ChangeTrail.Server.Tests;

/// <summary>
/// The authorization matrix as a document (issue 9, "The authorization matrix is data"): sound, true to the stated
/// policy, and the source of docs/authorization.md. <see cref="AuthorizationMatrixTests"/> holds the server to it.
/// </summary>
public sealed class AuthorizationPolicyTests
{
    private readonly AuthorizationMatrix _matrix = AuthorizationMatrix.Load();

    [Fact]
    public void The_matrix_is_sound_every_operation_says_who_may_call_it_in_the_legends_words()
    {
        var inconsistencies = _matrix.Inconsistencies();

        inconsistencies.ShouldBeEmpty($"{AuthorizationMatrix.RelativePath}:\n{string.Join("\n", inconsistencies)}");
    }

    [Fact]
    public void Auditors_are_read_only_everywhere_except_legal_holds_and_exports()
    {
        var auditor = CallerModel.Person(Role.Auditor);
        var writes = _matrix.Operations.Where(o => !o.Anonymous && !o.ChangesNothing && _matrix.Expected(o, auditor) == Outcomes.Allowed)
            .Select(o => o.OperationId).ToList();

        writes.ShouldBe(_matrix.AuditorWrites.Operations, ignoreOrder: true,
            $"\"{_matrix.AuditorWrites.Policy}\" The Auditor role may call exactly these operations that change something; " +
            $"{AuthorizationMatrix.RelativePath} names them in auditorWrites.");
    }

    [Fact]
    public void Docs_authorization_md_is_generated_from_the_matrix()
    {
        var fresh = AuthorizationDoc.Render(_matrix);
        var path = AuthorizationMatrix.InRepository(AuthorizationMatrix.DocRelativePath);
        if (Environment.GetEnvironmentVariable(AuthorizationDoc.RegenerateVariable) == "1")
            File.WriteAllText(path, fresh);

        var current = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        if (current != fresh)
        {
            Assert.Fail($"{AuthorizationMatrix.DocRelativePath} is not what {AuthorizationMatrix.RelativePath} says. Regenerate it:\n\n" +
                $"    {AuthorizationDoc.RegenerateCommand}\n\nand commit it. First difference, line {FirstDifference(current, fresh)}. " +
                $"The fresh page:\n\n{fresh}");
        }
    }

    private static int FirstDifference(string a, string b)
    {
        var left = a.Split('\n');
        var right = b.Split('\n');
        var line = 0;
        while (line < left.Length && line < right.Length && left[line] == right[line])
            line++;
        return line + 1;
    }
}
