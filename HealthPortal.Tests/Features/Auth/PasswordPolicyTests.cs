using System.Buffers.Binary;
using HealthPortal.Data;
using HealthPortal.Features.Auth;
using HealthPortal.Features.Auth.Passwords;
using HealthPortal.Tests.Support;
using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthPortal.Tests.Features.Auth;

[Collection(PortalCollection.Name)]
public sealed class PasswordPolicyTests(PortalFactory portal)
{
    private Task<IdentityResult> CreateWithPasswordAsync(string password) =>
        portal.WithScopeAsync(services =>
        {
            var email = $"pw-{Guid.NewGuid():N}@tests.healthportal.test";
            return services.GetRequiredService<UserManager<ApplicationUser>>()
                .CreateAsync(new ApplicationUser { UserName = email, Email = email }, password);
        });

    [Fact]
    public async Task Password_ElevenCharacters_IsRefused()
    {
        var result = await CreateWithPasswordAsync("abcdefghijk");

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Code == nameof(IdentityErrorDescriber.PasswordTooShort));
    }

    [Theory]
    [InlineData("kettle river lamp")]  // lowercase words and spaces
    [InlineData("mingalaba pyay 7")]   // no composition rule asks for capitals or symbols
    [InlineData("730291584620")]       // digits only, not a run or a common one
    public async Task Password_TwelveCharactersWithoutCompositionRules_IsAccepted(string password)
    {
        var result = await CreateWithPasswordAsync(password);

        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
    }

    // ASVS 6.2.4: the leaked passwords of the policy's length are refused, whatever their case.
    [Theory]
    [InlineData("password1234")]
    [InlineData("iloveyou1234")]
    [InlineData("1q2w3e4r5t6y")]
    [InlineData("QAZWSXEDCRFV")]
    public async Task Password_OnTheCommonList_IsRefusedWithAClearReason(string password)
    {
        var result = await CreateWithPasswordAsync(password);

        var error = Assert.Single(result.Errors);
        Assert.Equal(CommonPasswordValidator.CommonCode, error.Code);
        Assert.Contains("leaked", error.Description);
    }

    [Theory]
    [InlineData("aaaaaaaaaaaaaaaa")]   // one character
    [InlineData("abcabcabcabcabc")]    // a short unit repeated
    [InlineData("2026202620262026")]
    [InlineData("lmnopqrstuvwxyz")]    // a run of the alphabet
    [InlineData("9876543210987")]      // digits backwards, wrapping
    [InlineData("tyuiopasdfghj")]      // along the keyboard's rows
    public async Task Password_RepeatedOrStraightSequence_IsRefused(string password)
    {
        var result = await CreateWithPasswordAsync(password);

        Assert.Contains(result.Errors, e => e.Code is CommonPasswordValidator.PatternCode or CommonPasswordValidator.CommonCode);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void CommonList_HoldsAtLeastTheTop3000OfThePolicysLength()
    {
        Assert.True(CommonPasswordValidator.ListSize >= 3000, $"{CommonPasswordValidator.ListSize} passwords");
        Assert.Equal(43_940, CommonPasswordValidator.ListSize); // 44,150 lines, 43,940 distinct ignoring case
        Assert.False(CommonPasswordValidator.IsCommon(PortalFactory.DemoPassword));
        Assert.False(CommonPasswordValidator.IsPattern(PortalFactory.DemoPassword));
    }

    [Fact]
    public async Task PasswordHash_IsPbkdf2Sha512With210000Iterations()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);

        // Identity V3 layout: 0x01 | PRF (uint32 BE) | iterations (uint32 BE) | salt length | salt | subkey.
        var hash = Convert.FromBase64String(user.PasswordHash!);
        Assert.Equal(0x01, hash[0]);
        Assert.Equal((uint)KeyDerivationPrfSha512, BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(1)));
        Assert.Equal(210_000u, BinaryPrimitives.ReadUInt32BigEndian(hash.AsSpan(5)));
    }

    [Fact]
    public async Task DemoAccounts_ShareOneHashedPasswordThatVerifies()
    {
        var hashes = await portal.QueryAsync(db => Task.FromResult(
            db.Users.Where(u => u.Email!.EndsWith("@demo.healthportal.test")).Select(u => u.PasswordHash).ToList()));

        Assert.Single(hashes.Distinct());
        var verified = await portal.WithScopeAsync(services => Task.FromResult(
            services.GetRequiredService<IPasswordHasher<ApplicationUser>>().VerifyHashedPassword(new ApplicationUser(), hashes[0]!, PortalFactory.DemoPassword)));
        Assert.Equal(PasswordVerificationResult.Success, verified);
        Assert.Equal(210_000u, BinaryPrimitives.ReadUInt32BigEndian(Convert.FromBase64String(hashes[0]!).AsSpan(5)));
    }

    // Five wrong passwords used to lock the account for everyone for 15 minutes; now they block only the network
    // they came from (SignInThrottleTests, LockoutBySourceTests).
    [Fact]
    public async Task FiveWrongPasswords_BlockThatNetwork_NotTheAccount()
    {
        var user = await portal.CreateUserAsync(Roles.Patient);
        var guesser = LockoutBySourceTests.From(portal, "203.0.113.50");
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await PortalFactory.PostLoginAsync(guesser, user.Email!, "not the right password");
        }

        var response = await PortalFactory.PostLoginAsync(guesser, user.Email!, PortalFactory.DemoPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Null((await portal.QueryAsync(db => db.Users.SingleAsync(u => u.Id == user.Id))).LockoutEnd);
    }

    private const int KeyDerivationPrfSha512 = 2; // Microsoft.AspNetCore.Cryptography.KeyDerivation.KeyDerivationPrf.HMACSHA512
}
