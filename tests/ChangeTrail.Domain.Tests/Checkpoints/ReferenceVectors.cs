namespace ChangeTrail.Domain.Tests.Checkpoints;

/// <summary>
/// Published known answers, copied verbatim. Nothing here was produced by the code under test.
/// </summary>
internal static class ReferenceVectors
{
    // Source: repository golang/mod (golang.org/x/mod), file sumdb/note/note_test.go
    // (TestNewVerifier, TestNewSigner, TestSign, TestVerifierList, TestOpen), also shown in the
    // package documentation of sumdb/note/note.go.
    public const string PeterVerifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    public const string PeterSignerKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    public const uint PeterKeyId = 0xc74f20a3;
    public const string EnochVerifierKey = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    public const uint EnochKeyId = 0xaf0cfe78;

    public const string Text =
        "If you think cryptography is the answer to your problem,\n" +
        "then you don't know what your problem is.\n";

    public const string PeterSignatureBase64 = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
    public const string PeterSignatureLine = "\u2014 PeterNeumann " + PeterSignatureBase64 + "\n";
    public const string EnochSignatureBase64 = "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=";
    public const string EnochSignatureLine = "\u2014 EnochRoot " + EnochSignatureBase64 + "\n";

    /// <summary>The signed note of TestSign ("want").</summary>
    public const string PeterSignedNote = Text + "\n" + PeterSignatureLine;

    /// <summary>The doubly-signed note of TestOpen (text + "\n" + peterSig + enochSig).</summary>
    public const string DoublySignedNote = Text + "\n" + PeterSignatureLine + EnochSignatureLine;

    // Same file, TestNewVerifier: keys that must be refused.
    public const string WrongLengthKeyWithAdjustedId = "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==";
    public const string UnknownAlgorithmWithAdjustedId = "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";

    // Source: RFC 8032 section 7.1, TEST 1 (empty message).
    public const string Rfc8032Test1SeedHex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    public const string Rfc8032Test1PublicKeyHex = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    public const string Rfc8032Test1SignatureHex =
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
}
