using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using ChangeTrail.Server.Hosting;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace ChangeTrail.Server.Auth;

/// <summary>
/// The key that encrypts ASP.NET Core Data Protection's key ring where it is stored, in the database. The ring signs
/// session cookies and antiforgery tokens, so whoever reads it can forge a session; encrypted with a key kept out of
/// the database, a copy of the database alone forges nothing. Like the ledger's signing key it comes from
/// configuration (<c>ChangeTrail:DataProtection:KeyEncryptionKey</c>, or a file named by <c>KeyEncryptionKeyFile</c>)
/// and the embedded default generates one into the data folder. Every instance sharing a database needs the same key.
/// </summary>
/// <remarks>
/// Why AES-256-GCM behind Data Protection's <see cref="IXmlEncryptor"/> rather than <c>ProtectKeysWithCertificate</c>:
/// the certificate route does work on Linux without the X509 store since ASP.NET Core 2.1 (the certificate given also
/// decrypts), but it needs a PFX and its password made, mounted and renewed on every instance, and an embedded install
/// would have to mint a self-signed certificate; the RSA of XML encryption buys nothing when the same party encrypts
/// and decrypts. A 32-byte key is one <c>openssl rand -base64 32</c>, configured the way the ledger key is, and GCM
/// authenticates as well as encrypts: a wrong key fails with a clear message, it never decrypts to garbage.
/// </remarks>
public sealed class KeyEncryptionKey
{
    public const string FileName = "dataprotection-key";
    public const string Setting = "ChangeTrail:DataProtection:KeyEncryptionKey";
    public const string FileSetting = "ChangeTrail:DataProtection:KeyEncryptionKeyFile";

    private const int KeySize = 32;
    private const int NonceSize = 12; // AesGcm.NonceByteSizes: 12 only
    private const int TagSize = 16;
    private static readonly byte[] AssociatedData = "ChangeTrail Data Protection key ring, version 1"u8.ToArray();

    private readonly byte[] _key;

    public KeyEncryptionKey(IOptions<ChangeTrailOptions> options, ILogger<KeyEncryptionKey> logger)
    {
        (_key, Source) = Resolve(options.Value, logger);
        // Names the key in stored elements and messages without revealing it: a MAC of a constant under the key.
        Id = Convert.ToHexStringLower(HMACSHA256.HashData(_key, "ChangeTrail key-encryption-key id"u8)[..8]);
    }

    /// <summary>A fingerprint of the key, stored with what it encrypts, so a wrong key is named as such.</summary>
    public string Id { get; }

    /// <summary>Where the key came from, for messages: a setting or a file path, never the key.</summary>
    public string Source { get; }

    /// <summary>nonce ‖ tag ‖ ciphertext.</summary>
    internal byte[] Seal(ReadOnlySpan<byte> plaintext)
    {
        var sealedBytes = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), AssociatedData);
        return sealedBytes;
    }

    /// <summary>The plaintext, or <see cref="AuthenticationTagMismatchException"/> when the key is not the one that sealed it.</summary>
    internal byte[] Open(ReadOnlySpan<byte> sealedBytes)
    {
        if (sealedBytes.Length < NonceSize + TagSize)
            throw new CryptographicException("The encrypted Data Protection key is truncated.");
        var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedBytes[..NonceSize], sealedBytes[(NonceSize + TagSize)..], sealedBytes.Slice(NonceSize, TagSize), plaintext, AssociatedData);
        return plaintext;
    }

    private static (byte[] Key, string Source) Resolve(ChangeTrailOptions settings, ILogger logger)
    {
        var configured = settings.DataProtection;
        if (!string.IsNullOrWhiteSpace(configured.KeyEncryptionKey))
            return (Parse(configured.KeyEncryptionKey, Setting), Setting);
        if (!string.IsNullOrWhiteSpace(configured.KeyEncryptionKeyFile))
        {
            var file = Path.GetFullPath(configured.KeyEncryptionKeyFile);
            if (!File.Exists(file))
                throw new InvalidOperationException($"{FileSetting} names {file}, which does not exist.");
            return (Parse(File.ReadAllText(file), $"{FileSetting} ({file})"), file);
        }

        var dataDirectory = Path.GetFullPath(settings.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            // If another process generated one first, theirs is the key.
            if (SecretFile.TryCreate(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeySize)) + "\n"))
                logger.LogWarning(
                    "Generated the key that encrypts the Data Protection key ring (session cookies, antiforgery tokens) in {KeyFile}. " +
                    "Back it up with the database. Several instances sharing a database need one key configured " +
                    "(ChangeTrail__DataProtection__KeyEncryptionKey).", path);
        }
        else if (SecretFile.IsSharedWithOthers(path))
            logger.LogWarning("The Data Protection key-encryption key {KeyFile} is readable by other users; restrict it with chmod 600.", path);
        return (Parse(File.ReadAllText(path), path), path);
    }

    private static byte[] Parse(string text, string source)
    {
        var key = new byte[KeySize + 1];
        return Convert.TryFromBase64String(text.Trim(), key, out var length) && length == KeySize
            ? key[..KeySize]
            : throw new InvalidOperationException(
                $"The Data Protection key-encryption key in {source} is not the base64 of {KeySize} bytes; make one with `openssl rand -base64 {KeySize}`.");
    }
}

/// <summary>Encrypts each new Data Protection key before it is stored (<see cref="KeyManagementOptions.XmlEncryptor"/>).</summary>
public sealed class KeyRingXmlEncryptor(KeyEncryptionKey key) : IXmlEncryptor
{
    internal static readonly XName EncryptedElement = "changeTrailEncryptedKey";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        try
        {
            var element = new XElement(EncryptedElement,
                new XAttribute("version", 1),
                new XAttribute("keyEncryptionKey", key.Id),
                new XComment(" AES-256-GCM under ChangeTrail:DataProtection:KeyEncryptionKey "),
                new XElement("value", Convert.ToBase64String(key.Seal(plaintext))));
            return new EncryptedXmlInfo(element, typeof(KeyRingXmlDecryptor));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}

/// <summary>
/// Decrypts what <see cref="KeyRingXmlEncryptor"/> stored. Data Protection creates it from the type name written
/// beside each encrypted key, with the app's services: keep its name and namespace, or stored keys stop resolving.
/// </summary>
public sealed class KeyRingXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var key = services.GetRequiredService<KeyEncryptionKey>();
        var storedId = (string?)encryptedElement.Attribute("keyEncryptionKey");
        var value = (string?)encryptedElement.Element("value");
        if (encryptedElement.Name != KeyRingXmlEncryptor.EncryptedElement || (string?)encryptedElement.Attribute("version") != "1" || value is null)
            throw new CryptographicException("The Data Protection key is not in the form ChangeTrail encrypts keys in.");
        if (storedId != key.Id)
            throw new CryptographicException(
                $"The Data Protection key was encrypted with the key-encryption key {storedId}, but this instance's " +
                $"(from {key.Source}) is {key.Id}. Every instance sharing the database needs the same {KeyEncryptionKey.Setting}.");

        byte[] plaintext;
        try
        {
            plaintext = key.Open(Convert.FromBase64String(value));
        }
        catch (Exception e) when (e is AuthenticationTagMismatchException or FormatException)
        {
            throw new CryptographicException(
                $"The Data Protection key encrypted with the key-encryption key {key.Id} does not decrypt with it: it has been altered.", e);
        }
        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}

public static class KeyRing
{
    /// <summary>Where Data Protection puts what an <see cref="IXmlEncryptor"/> returned.</summary>
    public static readonly XName EncryptedSecret = XNamespace.Get("http://schemas.asp.net/2015/03/dataProtection") + "encryptedSecret";

    /// <summary>
    /// Reads every key of the ring at start-up, so an instance given the wrong key-encryption key (or none, and so a
    /// generated one of its own) stops with a message instead of failing every cookie and antiforgery token and
    /// writing a ring of its own beside the one the other instances use.
    /// </summary>
    public static void EnsureReadable(IServiceProvider services)
    {
        var key = services.GetRequiredService<KeyEncryptionKey>();
        foreach (var stored in services.GetRequiredService<IKeyManager>().GetAllKeys())
        {
            try
            {
                _ = stored.Descriptor;
            }
            catch (Exception e)
            {
                throw new InvalidOperationException(
                    $"{KeyEncryptionKey.Setting}: the Data Protection key {stored.KeyId} in the database cannot be read with this " +
                    $"instance's key-encryption key {key.Id} (from {key.Source}). {e.Message} If that key is lost, stop every " +
                    "instance and delete the rows of the DataProtectionKeys table: everyone then signs in again.", e);
            }
        }

        var repository = services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository;
        var inClear = repository?.GetAllElements().Count(e => e.Name == "key" && !e.Descendants(EncryptedSecret).Any()) ?? 0;
        if (inClear > 0)
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(KeyRing)).LogWarning(
                "{Count} Data Protection keys in the database are stored unencrypted, written before the key ring was encrypted. " +
                "They keep working, and new keys are encrypted; to stop trusting them, stop every instance and delete their rows " +
                "from the DataProtectionKeys table (everyone then signs in again).", inClear);
    }
}
